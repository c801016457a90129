"""Repayments pay the oldest installment first, interest before principal; an overpayment
reduces the last installments; a reversal undoes a mistaken entry, with a reason.

The loan: 12,000,000 rials at 12% a year (1% a month), equal principal over 12 months,
disbursed on 1403/01/01 (2024-03-20). Installment k repays 1,000,000 of principal and
1% of the balance: 120,000 + 1,000,000 for the first, 10,000 + 1,000,000 for the last;
12,780,000 in all. The first falls due on 1403/02/01 (2024-04-20)."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from hami.errors import DomainError
from loans import selectors, services
from loans.models import Installment, Repayment, State

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    LoanApplicationFactory,
    LoanProductFactory,
    make_disbursed_loan,
)

pytestmark = pytest.mark.django_db

DISBURSED_ON = date(2024, 3, 20)
FIRST_DUE = date(2024, 4, 20)
SECOND_DUE = date(2024, 5, 21)


def on(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def loan(centre):
    product = LoanProductFactory(
        name="تسهیلات ۱۲ درصد",
        annual_rate=Decimal("0.12"),
        amortisation="equal_principal",
        max_term_months=12,
    )
    return make_disbursed_loan(
        centre, amount=12_000_000, term_months=12, product=product, disbursed_on=DISBURSED_ON
    )


def pay(loan, staff, amount, day, **kwargs):
    with scope_for(staff):
        return services.record_repayment(
            loan=loan, by=staff, paid_on=day, amount=amount, at=on(day), **kwargs
        )


def rows(loan):
    """(number, interest paid, principal paid, paid in full on) of every installment."""
    with scopes_disabled():
        return {
            i.number: (i.interest_paid, i.principal_paid, i.paid_on)
            for i in Installment.objects.filter(loan=loan)
        }


def balance(loan):
    with scopes_disabled():
        return selectors.balance(loan)


def state_of(loan):
    loan.refresh_from_db()
    return loan.state


def test_the_schedule_is_as_worked_out_by_hand(loan):
    with scopes_disabled():
        installments = list(Installment.objects.filter(loan=loan).order_by("number"))
    assert [(i.principal_due, i.interest_due) for i in installments[:2]] == [
        (1_000_000, 120_000),
        (1_000_000, 110_000),
    ]
    assert (installments[-1].principal_due, installments[-1].interest_due) == (1_000_000, 10_000)
    assert installments[0].due_on == FIRST_DUE
    assert balance(loan) == 12_780_000


def test_a_partial_payment_pays_interest_before_principal(loan, staff):
    pay(loan, staff, 500_000, FIRST_DUE)
    paid = rows(loan)
    assert paid[1] == (120_000, 380_000, None)
    assert paid[2] == (0, 0, None)
    assert balance(loan) == 12_280_000
    assert state_of(loan) == State.REPAYING


def test_an_exact_payment_settles_the_installment(loan, staff):
    pay(loan, staff, 1_120_000, FIRST_DUE)
    paid = rows(loan)
    assert paid[1] == (120_000, 1_000_000, FIRST_DUE)
    assert paid[2] == (0, 0, None)


def test_a_late_payment_pays_the_oldest_installment_first(loan, staff):
    day = date(2024, 6, 1)  # both the first and the second installments are due
    pay(loan, staff, 1_500_000, day)
    paid = rows(loan)
    assert paid[1] == (120_000, 1_000_000, day)
    assert paid[2] == (110_000, 270_000, None)


def test_an_early_payment_pays_the_next_installment(loan, staff):
    pay(loan, staff, 1_120_000, date(2024, 4, 10))  # ten days before it falls due
    assert rows(loan)[1] == (120_000, 1_000_000, date(2024, 4, 10))


def test_an_overpayment_reduces_the_last_installments(loan, staff):
    # The first installment (1,120,000), then the twelfth (1,010,000), then 500,000 of the
    # eleventh (20,000 interest, 480,000 principal); the second is due next month as before.
    pay(loan, staff, 2_630_000, FIRST_DUE)
    paid = rows(loan)
    assert paid[1] == (120_000, 1_000_000, FIRST_DUE)
    assert paid[12] == (10_000, 1_000_000, FIRST_DUE)
    assert paid[11] == (20_000, 480_000, None)
    assert paid[2] == (0, 0, None)
    assert balance(loan) == 12_780_000 - 2_630_000


def test_paying_the_whole_balance_repays_the_loan(loan, staff):
    pay(loan, staff, 1_120_000, FIRST_DUE)
    pay(loan, staff, 11_660_000, SECOND_DUE)
    assert balance(loan) == 0
    assert all(paid_on is not None for _i, _p, paid_on in rows(loan).values())
    assert state_of(loan) == State.REPAID


def test_a_reversal_replays_the_other_payments(loan, staff, manager):
    mistaken = pay(loan, staff, 1_120_000, FIRST_DUE, bank_reference="TX-WRONG")
    pay(loan, staff, 600_000, SECOND_DUE)
    assert rows(loan)[2] == (110_000, 490_000, None)
    with scope_for(manager):
        services.reverse_repayment(
            repayment=mistaken,
            by=manager,
            reason="واریز به حساب مددجوی دیگری بود",
            at=on(SECOND_DUE),
        )
    paid = rows(loan)
    assert paid[1] == (120_000, 480_000, None)  # the remaining 600,000, oldest first
    assert paid[2] == (0, 0, None)
    mistaken.refresh_from_db()
    assert mistaken.is_reversed
    assert mistaken.reversal_reason == "واریز به حساب مددجوی دیگری بود"
    assert mistaken.reversed_by == manager
    assert balance(loan) == 12_780_000 - 600_000


def test_reversing_the_payment_that_repaid_the_loan_reopens_it(loan, staff, manager):
    final = pay(loan, staff, 12_780_000, FIRST_DUE)
    assert state_of(loan) == State.REPAID
    with scope_for(manager):
        services.reverse_repayment(
            repayment=final, by=manager, reason="چک برگشت خورد", at=on(SECOND_DUE)
        )
    assert state_of(loan) == State.REPAYING
    assert balance(loan) == 12_780_000


def test_a_reversal_needs_a_reason_and_happens_once(loan, staff, manager):
    repayment = pay(loan, staff, 1_120_000, FIRST_DUE)
    with scope_for(manager), pytest.raises(DomainError, match="Give a reason"):
        services.reverse_repayment(repayment=repayment, by=manager, reason="  ")
    with scope_for(manager):
        services.reverse_repayment(repayment=repayment, by=manager, reason="تکراری")
    with scope_for(manager), pytest.raises(DomainError, match="already been reversed"):
        services.reverse_repayment(repayment=repayment, by=manager, reason="تکراری")


@pytest.mark.parametrize(
    ("amount", "day", "message"),
    [
        (0, FIRST_DUE, "above zero"),
        (-1_000, FIRST_DUE, "above zero"),
        (1_000_000, date(2024, 3, 19), "before the loan was disbursed"),
        (12_780_001, FIRST_DUE, "more than the balance"),
    ],
)
def test_impossible_repayments_are_refused_and_nothing_is_saved(loan, staff, amount, day, message):
    with pytest.raises(DomainError, match=message):
        pay(loan, staff, amount, day)
    with scopes_disabled():
        assert not Repayment.objects.filter(loan=loan).exists()
    assert state_of(loan) == State.DISBURSED
    assert balance(loan) == 12_780_000


def test_a_repayment_dated_in_the_future_is_refused(loan, staff):
    with scope_for(staff), pytest.raises(DomainError, match="in the future"):
        services.record_repayment(
            loan=loan, by=staff, paid_on=SECOND_DUE, amount=1_000_000, at=on(FIRST_DUE)
        )
    with scopes_disabled():
        assert not Repayment.objects.filter(loan=loan).exists()


def test_repayments_are_for_disbursed_loans_only(centre, staff):
    approved = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)), state=State.APPROVED
    )
    with scope_for(staff), pytest.raises(DomainError, match="disbursed loans only"):
        services.record_repayment(
            loan=approved, by=staff, paid_on=timezone.localdate(), amount=1_000_000
        )
