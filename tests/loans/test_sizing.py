"""The sizing contract (`loans.sizing.size_loan`): each of the three limits binding in turn,
the cases that cannot be funded, and for any plan a recommendation that is the largest
whole million within every limit."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy_financial as npf
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from loans.schedule import build_schedule
from loans.sizing import AFFORDABILITY, NEED, PRODUCT_MAX, size_loan


@dataclass
class Plan:
    total_cost: int
    own_contribution: int
    monthly_revenue: int
    monthly_costs: int


@dataclass
class Product:
    annual_rate: Decimal = Decimal(0)
    min_amount: int = 10_000_000
    max_amount: int = 300_000_000
    max_term_months: int = 30
    grace_months: int = 0
    amortisation: str = "annuity"


INTEREST_FREE = Product()


def test_the_plans_need_binds():
    # 100M plan, 24.5M of the client's own: 75.5M to borrow; the profit of 10M a month
    # affords 5M installments, 150M over 30 months; the product lends up to 300M.
    sizing = size_loan(Plan(100_000_000, 24_500_000, 25_000_000, 15_000_000), INTEREST_FREE)
    assert [limit.amount for limit in sizing.limits] == [75_500_000, 300_000_000, 150_000_000]
    assert sizing.bound_by == NEED
    assert sizing.recommended == 75_000_000
    assert sizing.installment == 2_500_000
    assert sizing.fundable and sizing.reason == ""


def test_the_products_maximum_binds():
    sizing = size_loan(Plan(500_000_000, 0, 40_000_000, 10_000_000), INTEREST_FREE)
    assert sizing.bound_by == PRODUCT_MAX
    assert sizing.recommended == 300_000_000
    assert sizing.installment == 10_000_000
    assert sizing.installment_cap == 15_000_000


def test_the_profit_binds():
    # 8M profit a month: installments of at most 4M, 120M over 30 months.
    sizing = size_loan(Plan(500_000_000, 0, 20_000_000, 12_000_000), INTEREST_FREE)
    assert sizing.bound_by == AFFORDABILITY
    assert sizing.limit(AFFORDABILITY).amount == 120_000_000
    assert sizing.recommended == 120_000_000
    assert sizing.installment == 4_000_000


def test_the_profit_binds_with_interest_as_the_present_value_of_the_installments():
    product = Product(annual_rate=Decimal("0.04"), max_term_months=36)
    sizing = size_loan(Plan(500_000_000, 0, 16_000_000, 10_000_000), product)
    present_value = npf.pv(0.04 / 12, 36, -3_000_000)  # 101,612,436.7 rials
    assert sizing.bound_by == AFFORDABILITY
    assert abs(sizing.limit(AFFORDABILITY).amount - present_value) <= 36
    assert sizing.recommended == 101_000_000
    assert sizing.installment <= 3_000_000


def test_equal_principal_affordability_is_judged_on_the_first_installment():
    # 12 installments at 4%: the first is P/12 + P × 0.04/12, so P ≤ cap / (1/12 + 1/300).
    product = Product(
        annual_rate=Decimal("0.04"), max_term_months=12, amortisation="equal_principal"
    )
    sizing = size_loan(Plan(500_000_000, 0, 10_000_000, 0), product)
    assert sizing.bound_by == AFFORDABILITY
    assert sizing.recommended == 57_000_000  # 5M / 0.0866… = 57,692,307
    assert sizing.installment == 4_750_000 + 190_000


def test_a_shorter_term_affords_less():
    sizing = size_loan(Plan(500_000_000, 0, 20_000_000, 12_000_000), INTEREST_FREE, months=12)
    assert sizing.months == 12
    assert sizing.recommended == 48_000_000


def test_a_plan_needing_less_than_the_products_minimum_cannot_be_funded():
    sizing = size_loan(Plan(15_000_000, 8_000_000, 20_000_000, 5_000_000), INTEREST_FREE)
    assert not sizing.fundable
    assert sizing.recommended == 7_000_000
    assert sizing.reason == (
        "The plan needs 700,000 toman beyond the client's own contribution, and this product "
        "lends at least 1,000,000 toman. A larger plan, a smaller contribution or a product "
        "with a lower minimum would change it."
    )


def test_a_plan_whose_profit_repays_too_little_cannot_be_funded():
    sizing = size_loan(Plan(100_000_000, 0, 3_000_000, 2_500_000), INTEREST_FREE)
    assert not sizing.fundable
    assert sizing.bound_by == AFFORDABILITY
    assert "500,000 toman" not in sizing.reason  # the profit is 50,000 toman
    assert "50,000 toman" in sizing.reason
    assert "750,000 toman over 30 months" in sizing.reason
    assert "higher projected profit" in sizing.reason


def test_a_plan_without_profit_cannot_be_funded():
    sizing = size_loan(Plan(100_000_000, 0, 5_000_000, 6_000_000), INTEREST_FREE)
    assert not sizing.fundable
    assert sizing.recommended == 0
    assert sizing.installment is None
    assert "no monthly profit" in sizing.reason


def test_a_plan_covered_by_the_clients_own_money_needs_no_loan():
    sizing = size_loan(Plan(10_000_000, 12_000_000, 5_000_000, 1_000_000), INTEREST_FREE)
    assert not sizing.fundable
    assert sizing.limit(NEED).amount == 0
    assert "covers the whole plan" in sizing.reason


def test_the_reason_speaks_persian_on_a_persian_page():
    with translation.override("fa"):
        sizing = size_loan(Plan(100_000_000, 0, 5_000_000, 6_000_000), INTEREST_FREE)
    assert "تومان" in sizing.reason


PRODUCTS = st.builds(
    Product,
    annual_rate=st.one_of(
        st.just(Decimal(0)),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.24"), places=3),
    ),
    min_amount=st.sampled_from([1_000_000, 10_000_000, 50_000_000]),
    max_amount=st.integers(min_value=50_000_000, max_value=2_000_000_000),
    max_term_months=st.integers(min_value=6, max_value=84),
    grace_months=st.integers(min_value=0, max_value=6),
    amortisation=st.sampled_from(["annuity", "equal_principal"]),
)
MONEY = st.integers(min_value=0, max_value=3_000_000_000)


@given(
    product=PRODUCTS,
    cost=MONEY,
    own=MONEY,
    revenue=st.integers(min_value=0, max_value=200_000_000),
    costs=st.integers(min_value=0, max_value=200_000_000),
)
def test_the_recommendation_is_the_largest_whole_million_within_every_limit(
    product, cost, own, revenue, costs
):
    sizing = size_loan(Plan(cost, own, revenue, costs), product)
    cap = max(revenue - costs, 0) // 2
    assert sizing.recommended % 1_000_000 == 0
    assert sizing.recommended <= max(cost - own, 0)
    assert sizing.recommended <= product.max_amount
    assert sizing.fundable == (sizing.recommended >= product.min_amount)
    assert bool(sizing.reason) != sizing.fundable

    def largest_installment(amount):
        rows = build_schedule(
            amount,
            product.annual_rate,
            product.max_term_months,
            product.grace_months,
            date(2025, 3, 21),
            method=product.amortisation,
        )
        return max(row.total for row in rows[product.grace_months :])

    if sizing.recommended:
        assert largest_installment(sizing.recommended) <= cap
        assert sizing.installment == largest_installment(sizing.recommended)
    # A million more would break a limit.
    more = sizing.recommended + 1_000_000
    assert more > cost - own or more > product.max_amount or largest_installment(more) > cap
