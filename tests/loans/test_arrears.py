"""Arrears as of a day: days past due, default after HAMI_DEFAULT_DAYS, the follow-up task
for the case worker, hardship pauses; and PAR30/PAR90 on a fixed portfolio whose answers
are worked out by hand."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.scoping import all_centres_scope, scope_for
from loans import arrears, services
from loans.models import ArrearsFollowUp, Installment, LoanTransition, State
from loans.tasks import update_arrears as update_arrears_task

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    LoanApplicationFactory,
    make_disbursed_loan,
)

pytestmark = pytest.mark.django_db

DISBURSED_ON = date(2024, 3, 20)  # 1403/01/01; installments of 5,000,000 from 2024-04-20
FIRST_DUE = date(2024, 4, 20)


@pytest.fixture
def loan(centre):
    return make_disbursed_loan(centre, amount=100_000_000, disbursed_on=DISBURSED_ON)


def run(on):
    with all_centres_scope():
        return arrears.update_arrears(on=on)


def fresh(loan):
    loan.refresh_from_db()
    return loan


def test_a_loan_paid_on_time_has_no_days_past_due(loan):
    run(FIRST_DUE)  # due today, not yet late
    assert fresh(loan).days_past_due == 0
    assert loan.overdue_since is None


def test_days_past_due_count_from_the_oldest_unpaid_installment(loan, staff):
    run(date(2024, 6, 1))
    assert fresh(loan).days_past_due == 42  # 2024-04-20 → 2024-06-01
    assert loan.overdue_since == FIRST_DUE
    with scope_for(staff):
        services.record_repayment(
            loan=loan,
            by=staff,
            paid_on=date(2024, 6, 1),
            amount=5_000_000,
            at=timezone.make_aware(datetime.combine(date(2024, 6, 1), time(9))),
        )
    run(date(2024, 6, 2))
    assert fresh(loan).days_past_due == 12  # the second fell due on 2024-05-21


def test_a_loan_more_than_180_days_behind_is_defaulted_by_the_system(loan):
    run(FIRST_DUE + timedelta(days=180))
    assert fresh(loan).state == State.DISBURSED
    outcome = run(FIRST_DUE + timedelta(days=181))
    assert fresh(loan).state == State.DEFAULTED
    assert outcome.defaulted == [loan.pk]
    with scopes_disabled():
        step = LoanTransition.objects.filter(application=loan).last()
    assert (step.action, step.from_state, step.to_state, step.by) == (
        "default",
        State.DISBURSED,
        State.DEFAULTED,
        None,
    )
    assert run(FIRST_DUE + timedelta(days=182)).defaulted == []


def test_a_loan_more_than_30_days_behind_opens_one_follow_up_for_the_case_worker(loan):
    run(FIRST_DUE + timedelta(days=30))
    with scopes_disabled():
        assert not ArrearsFollowUp.objects.exists()
    run(FIRST_DUE + timedelta(days=31))
    run(FIRST_DUE + timedelta(days=32))
    with scopes_disabled():
        tasks = list(ArrearsFollowUp.objects.filter(loan=loan))
    assert len(tasks) == 1
    assert tasks[0].assigned_to == loan.created_by  # the staff member who drafted it
    assert (tasks[0].opened_on, tasks[0].days_past_due) == (FIRST_DUE + timedelta(days=31), 31)


def test_a_hardship_pause_keeps_its_days_out_of_the_arrears(loan, manager):
    # Behind since 2024-04-20; paused from 2024-05-01 (1403/02/12) for one Jalali month,
    # to 2024-06-01 (1403/03/12): Ordibehesht has 31 days, so 31 days are paused.
    with scope_for(manager):
        services.pause_arrears(
            loan=loan,
            by=manager,
            reason="illness",
            note="بستری",
            starts_on=date(2024, 5, 1),
            months=1,
            at=timezone.make_aware(datetime.combine(date(2024, 5, 1), time(9))),
        )
    run(date(2024, 6, 10))
    assert fresh(loan).days_past_due == 51 - 31  # 51 days late, 31 of them paused
    with scopes_disabled():
        assert loan.pauses.get().history.count() == 1  # the grant, in the pause's history


def test_a_pause_is_bounded(loan, manager):
    from hami.errors import DomainError

    with scope_for(manager), pytest.raises(DomainError, match="1 to 6 months"):
        services.pause_arrears(
            loan=loan,
            by=manager,
            reason="illness",
            note="x",
            starts_on=timezone.localdate(),
            months=7,
        )


def test_the_task_and_the_command_run_as_of_a_day(loan):
    update_arrears_task.run(on="2024-06-01")
    assert fresh(loan).days_past_due == 42
    call_command("update_arrears", "--date", "2024-06-11")
    assert fresh(loan).days_past_due == 52


# -- PAR on a fixed portfolio -----------------------------------------------------------


def a_loan(centre, *, outstanding, days_past_due, state=State.REPAYING, paid=10_000_000):
    """A loan with `paid` principal repaid and `outstanding` principal still owed."""
    loan = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
        state=state,
        days_past_due=days_past_due,
    )
    with scopes_disabled():
        Installment.objects.create(
            loan=loan,
            number=1,
            due_on=DISBURSED_ON,
            principal_due=paid,
            interest_due=0,
            principal_paid=paid,
            paid_on=DISBURSED_ON,
        )
        # Only a part is overdue: PAR counts the whole outstanding principal of a late
        # loan, where an arrears rate would count the overdue part alone.
        overdue = min(outstanding, 5_000_000)
        Installment.objects.create(
            loan=loan, number=2, due_on=FIRST_DUE, principal_due=overdue, interest_due=777
        )
        Installment.objects.create(
            loan=loan,
            number=3,
            due_on=date(2030, 1, 1),
            principal_due=outstanding - overdue,
            interest_due=777,
        )
    return loan


def test_par30_and_par90_on_a_fixed_portfolio(centre, other_centre):
    # Centre A: 100M on time, 50M 45 days late, 30M 120 days late: 180M outstanding.
    a_loan(centre, outstanding=100_000_000, days_past_due=0)
    a_loan(centre, outstanding=50_000_000, days_past_due=45)
    a_loan(centre, outstanding=30_000_000, days_past_due=120)
    # Centre B: 200M 10 days late, 20M defaulted 200 days late: 220M outstanding.
    a_loan(other_centre, outstanding=200_000_000, days_past_due=10)
    a_loan(other_centre, outstanding=20_000_000, days_past_due=200, state=State.DEFAULTED)
    # Not in the portfolio: repaid, or not yet disbursed.
    a_loan(centre, outstanding=0, days_past_due=0, state=State.REPAID)
    LoanApplicationFactory(state=State.APPROVED, days_past_due=0)

    with all_centres_scope():
        centres, network = arrears.portfolio()
    by_centre = {p.centre_id: p for p in centres}
    a, b = by_centre[centre.pk], by_centre[other_centre.pk]
    assert (a.outstanding, a.at_risk_30, a.at_risk_90) == (180_000_000, 80_000_000, 30_000_000)
    assert a.par30 == Decimal(80) / Decimal(180)
    assert a.par90 == Decimal(30) / Decimal(180)
    assert (b.outstanding, b.at_risk_30, b.at_risk_90) == (220_000_000, 20_000_000, 20_000_000)
    assert (network.outstanding, network.par30, network.par90) == (
        400_000_000,
        Decimal("0.25"),
        Decimal("0.125"),
    )
    assert network.buckets == {
        "0": (1, 100_000_000),
        "1-30": (1, 200_000_000),
        "31-60": (1, 50_000_000),
        "61-90": (0, 0),
        "91-180": (1, 30_000_000),
        "181-360": (1, 20_000_000),
        "361+": (0, 0),
    }


def test_a_centre_sees_only_its_own_portfolio(centre, other_centre, staff):
    a_loan(centre, outstanding=100_000_000, days_past_due=40)
    a_loan(other_centre, outstanding=900_000_000, days_past_due=0)
    with scope_for(staff):
        from loans.models import LoanApplication

        centres, network = arrears.portfolio(LoanApplication.objects.visible_to(staff))
    assert [p.centre_id for p in centres] == [centre.pk]
    assert network.par30 == 1


def test_the_nightly_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["loans-update-arrears"]
    assert entry["task"] == update_arrears_task.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})
