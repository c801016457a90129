"""The schedule contract (`loans.schedule.build_schedule`), checked against numpy-financial
and the Jalali calendar of jdatetime, over amounts, rates (0 included), terms and grace."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import jdatetime
import numpy_financial as npf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loans.schedule import Row, build_schedule

AMOUNTS = st.integers(min_value=1_000_000, max_value=10_000_000_000)  # 100,000 toman to 1bn
RATES = st.one_of(
    st.just(Decimal(0)),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.30"), places=4),
)
# The qard al-hasan fee is at most 4% a year.
FEE_RATES = st.one_of(
    st.just(Decimal(0)),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.04"), places=4),
)
TERMS = st.integers(min_value=1, max_value=120)
GRACE = st.integers(min_value=0, max_value=12)
FIRST_DUE = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def jalali_months_later(first_due: date, months: int) -> jdatetime.date:
    """The Jalali date `months` Jalali months after `first_due`, the day clamped: worked
    out with jdatetime alone."""
    start = jdatetime.date.fromgregorian(date=first_due)
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    month += 1
    length = jdatetime.j_days_in_month[month - 1]
    if month == 12 and jdatetime.date(year, 1, 1).isleap():
        length = 30
    return jdatetime.date(year, month, min(start.day, length))


# -- by hand -----------------------------------------------------------------------------


def test_an_interest_free_loan_repays_equal_principal():
    rows = build_schedule(12_000_000, Decimal(0), 12, 0, date(2024, 3, 20))
    assert [row.total for row in rows] == [1_000_000] * 12
    assert {row.interest for row in rows} == {0}


def test_an_interest_free_loan_puts_the_odd_rials_on_the_last_installment():
    rows = build_schedule(10_000_007, Decimal(0), 3, 0, date(2024, 3, 20))
    assert [row.principal for row in rows] == [3_333_335, 3_333_335, 3_333_337]


def test_a_four_percent_annuity_over_three_years():
    # 100,000,000 rials at 4% a year over 36 months: pmt = 2,952,398.50 rials.
    rows = build_schedule(100_000_000, Decimal("0.04"), 36, 0, date(2024, 8, 3))
    assert rows[0] == Row(date(2024, 8, 3), 2_619_066, 333_333, 2_952_399)
    assert rows[1] == Row(date(2024, 9, 3), 2_627_796, 324_603, 2_952_399)
    assert {row.total for row in rows[:-1]} == {2_952_399}
    assert sum(row.principal for row in rows) == 100_000_000


def test_grace_months_pay_interest_only_and_push_the_installments_back():
    rows = build_schedule(60_000_000, Decimal("0.04"), 12, 3, date(2024, 3, 20))
    assert len(rows) == 15
    assert rows[:3] == [
        Row(date(2024, 3, 20), 0, 200_000, 200_000),  # 1403/01/01
        Row(date(2024, 4, 20), 0, 200_000, 200_000),  # 1403/02/01
        Row(date(2024, 5, 21), 0, 200_000, 200_000),  # 1403/03/01
    ]
    assert rows[3].due_date == date(2024, 6, 21)  # 1403/04/01
    assert rows[3].principal > 0


def test_qard_al_hasan_fee_on_the_declining_balance():
    # 120,000,000 rials, 4% fee, 12 installments: 10,000,000 principal each; the fee is
    # charged on 120M, 110M, … 10M; in all P × r × (n + 1) / 24 = 2,600,000.
    rows = build_schedule(
        120_000_000, Decimal("0.04"), 12, 0, date(2024, 3, 20), method="equal_principal"
    )
    assert {row.principal for row in rows} == {10_000_000}
    assert [row.interest for row in rows[:3]] == [400_000, 366_667, 333_333]
    assert rows[-1].interest == 33_333
    assert sum(row.interest for row in rows) == 2_600_000


def test_due_dates_keep_the_jalali_day_and_clamp_it_to_short_months():
    # 1403/06/31 (the last day of Shahrivar): Mehr has 30 days; Esfand 1403 has 30 (leap).
    rows = build_schedule(6_000_000, Decimal(0), 7, 0, date(2024, 9, 21))
    jalali = [jdatetime.date.fromgregorian(date=row.due_date).strftime("%Y/%m/%d") for row in rows]
    assert jalali == [
        "1403/06/31",
        "1403/07/30",
        "1403/08/30",
        "1403/09/30",
        "1403/10/30",
        "1403/11/30",
        "1403/12/30",
    ]


@pytest.mark.parametrize(
    "arguments",
    [
        (0, Decimal("0.04"), 12, 0),
        (-5, Decimal("0.04"), 12, 0),
        (1_000_000, Decimal("-0.01"), 12, 0),
        (1_000_000, Decimal("0.04"), 0, 0),
        (1_000_000, Decimal("0.04"), 12, -1),
        (1_000_000, 0.04, 12, 0),  # a float rate: money never touches floats
        (1.5, Decimal("0.04"), 12, 0),
    ],
)
def test_impossible_loans_are_refused(arguments):
    with pytest.raises((ValueError, TypeError)):
        build_schedule(*arguments, date(2024, 3, 20))


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        build_schedule(1_000_000, Decimal("0.04"), 12, 0, date(2024, 3, 20), method="balloon")


# -- against numpy-financial, for any loan ------------------------------------------------


@given(principal=AMOUNTS, rate=RATES, months=TERMS, grace=GRACE, first_due=FIRST_DUE)
def test_annuity_installments_match_numpy_financial(principal, rate, months, grace, first_due):
    rows = build_schedule(principal, rate, months, grace, first_due)
    monthly = float(rate) / 12
    payment = -npf.pmt(monthly, months, principal)
    installments = rows[grace:]

    assert len(rows) == grace + months
    assert sum(row.principal for row in rows) == principal
    assert all(row.total == row.principal + row.interest for row in rows)
    assert all(row.principal >= 0 and row.interest >= 0 for row in rows)
    # Grace months: interest only, on the whole principal.
    grace_interest = half_up(Decimal(principal) * rate / 12)
    assert all(row == (row.due_date, 0, grace_interest, grace_interest) for row in rows[:grace])
    # Every installment but the last within a rial of pmt.
    for row in installments[:-1]:
        assert abs(row.total - payment) <= 1, (row, payment)
    # The last absorbs the rounding of the others: each row's rounding (of the installment
    # and of its interest) is under a rial, and carries interest until the end.
    drift = (months - 1) * (1 + monthly) ** (months - 1)
    assert abs(installments[-1].total - payment) <= drift + 1


@given(principal=AMOUNTS, rate=FEE_RATES, months=TERMS, grace=GRACE, first_due=FIRST_DUE)
def test_equal_principal_fee_is_close_to_the_banks_formula(
    principal, rate, months, grace, first_due
):
    rows = build_schedule(principal, rate, months, grace, first_due, method="equal_principal")
    installments = rows[grace:]
    assert [row.principal for row in installments[:-1]] == [principal // months] * (months - 1)
    assert sum(row.principal for row in rows) == principal
    fee = sum(row.interest for row in installments)
    formula = Decimal(principal) * rate * (months + 1) / 24
    assert abs(fee - formula) <= months, (fee, formula)
    # The charge falls with the balance.
    interests = [row.interest for row in installments]
    assert interests == sorted(interests, reverse=True)


@given(
    principal=AMOUNTS,
    rate=RATES,
    months=TERMS,
    grace=GRACE,
    first_due=FIRST_DUE,
    method=st.sampled_from(["annuity", "equal_principal"]),
)
def test_due_dates_step_one_jalali_month(principal, rate, months, grace, first_due, method):
    rows = build_schedule(principal, rate, months, grace, first_due, method=method)
    for number, row in enumerate(rows):
        assert jdatetime.date.fromgregorian(date=row.due_date) == jalali_months_later(
            first_due, number
        )
