"""The loan workflow: every (state, action, role) combination, four eyes, and approval
against a credit line whose figures come from the loans."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.models import Province
from centres.roles import NATIONAL_OFFICE_GROUP
from centres.scoping import scope_for
from hami.errors import DomainError
from loans import selectors, services
from loans.models import LoanApplication, LoanTransition, State

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    CreditLineFactory,
    LoanApplicationFactory,
    make_disbursed_loan,
)

pytestmark = pytest.mark.django_db

# Who may take each step, from which state: written down from the issue, not read from
# the workflow table.
ALLOWED = {
    ("submit", State.DRAFT, "staff"),
    ("submit", State.DRAFT, "manager"),
    ("recommend", State.SUBMITTED, "manager"),
    ("approve", State.RECOMMENDED, "national"),
    ("reject", State.RECOMMENDED, "national"),
    ("disburse", State.APPROVED, "national"),
    *(
        ("withdraw", state, role)
        for state in (State.DRAFT, State.SUBMITTED, State.RECOMMENDED, State.APPROVED)
        for role in ("staff", "manager")
    ),
}
TARGET = {
    "submit": State.SUBMITTED,
    "recommend": State.RECOMMENDED,
    "approve": State.APPROVED,
    "reject": State.REJECTED,
    "disburse": State.DISBURSED,
    "withdraw": State.WITHDRAWN,
}


def act(action, application, user, line):
    """Take `action` through its service, with arguments that would let it succeed."""
    steps = {
        "submit": lambda: services.submit(application=application, by=user),
        "recommend": lambda: services.recommend(application=application, by=user),
        "approve": lambda: services.approve(application=application, by=user, credit_line=line),
        "reject": lambda: services.reject(application=application, by=user, reason="طرح ناقص"),
        "disburse": lambda: services.disburse(
            application=application,
            by=user,
            bank="بانک ملی",
            disbursed_on=timezone.localdate(),
            bank_reference="TX-42",
        ),
        "withdraw": lambda: services.withdraw(application=application, by=user, reason="انصراف"),
    }
    with scope_for(user):
        steps[action]()


def snapshot(application):
    with scopes_disabled():
        row = LoanApplication.objects.get(pk=application.pk)
        steps = LoanTransition.objects.filter(application=application).count()
    return row.state, row.version, row.amount, row.credit_line_id, steps


@pytest.mark.parametrize("role", ["staff", "manager", "national"])
@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(TARGET))
def test_every_state_action_and_role(action, state, role, centre, staff, manager, national):
    user = {"staff": staff, "manager": manager, "national": national}[role]
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)), state=state
    )
    line = CreditLineFactory()
    before = snapshot(application)
    if (action, state, role) in ALLOWED:
        act(action, application, user, line)
        after = snapshot(application)
        assert after[0] == TARGET[action]
        assert after[4] == before[4] + 1, "the step is logged"
        with scopes_disabled():
            step = LoanTransition.objects.filter(application=application).last()
        assert (step.action, step.from_state, step.to_state, step.by) == (
            action,
            state,
            TARGET[action],
            user,
        )
    else:
        with pytest.raises(DomainError):
            act(action, application, user, line)
        assert snapshot(application) == before


def test_staff_of_another_centre_cannot_act(centre, other_staff):
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre))
    )
    before = snapshot(application)
    with pytest.raises(DomainError), scopes_disabled():
        services.submit(application=application, by=other_staff)
    assert snapshot(application) == before


# -- four eyes --------------------------------------------------------------------------


def test_the_recommender_cannot_approve(centre, manager):
    manager.groups.add(Group.objects.get(name=NATIONAL_OFFICE_GROUP))
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
        state=State.RECOMMENDED,
        recommended_by=manager,
    )
    before = snapshot(application)
    with pytest.raises(DomainError, match="Four eyes"):
        act("approve", application, manager, CreditLineFactory())
    assert snapshot(application) == before


def test_the_approver_cannot_record_the_disbursement(centre, national):
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
        state=State.APPROVED,
        approved_by=national,
    )
    before = snapshot(application)
    with pytest.raises(DomainError, match="Four eyes"):
        act("disburse", application, national, None)
    assert snapshot(application) == before


# -- amounts ----------------------------------------------------------------------------


def recommended(centre, **fields):
    return LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
        state=State.RECOMMENDED,
        **fields,
    )


def test_the_manager_may_lower_the_amount_but_not_raise_it(centre, manager):
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)), state=State.SUBMITTED
    )
    with scope_for(manager), pytest.raises(DomainError, match="lower the amount"):
        services.recommend(application=application, by=manager, amount=110_000_000)
    with scope_for(manager):
        services.recommend(application=application, by=manager, amount=80_000_000)
    application.refresh_from_db()
    assert (application.amount, application.recommended_amount) == (80_000_000, 80_000_000)
    assert application.requested_amount == 100_000_000


def test_approving_above_the_sizing_needs_the_national_offices_reason(centre, national):
    application = recommended(centre, sized_amount=100_000_000)
    line = CreditLineFactory()
    before = snapshot(application)
    with scope_for(national), pytest.raises(DomainError, match="give the reason"):
        services.approve(application=application, by=national, credit_line=line, amount=150_000_000)
    assert snapshot(application) == before
    with scope_for(national):
        services.approve(
            application=application,
            by=national,
            credit_line=line,
            amount=150_000_000,
            override_reason="سفارش قطعی یک فروشگاه زنجیره‌ای",
        )
    application.refresh_from_db()
    assert application.approved_amount == 150_000_000
    assert application.override_reason == "سفارش قطعی یک فروشگاه زنجیره‌ای"


def test_approving_with_no_credit_line_is_refused(centre, national):
    application = recommended(centre)
    before = snapshot(application)
    with scope_for(national), pytest.raises(DomainError, match="Choose the credit line"):
        services.approve(application=application, by=national, credit_line=None)
    assert snapshot(application) == before


def test_approving_more_than_the_line_has_available_is_refused(centre, national):
    line = CreditLineFactory(total_amount=250_000_000)
    LoanApplicationFactory(state=State.APPROVED, credit_line=line, approved_amount=100_000_000)
    LoanApplicationFactory(state=State.REPAYING, credit_line=line, approved_amount=100_000_000)
    application = recommended(centre)
    before = snapshot(application)
    with scope_for(national), pytest.raises(DomainError, match="only 5,000,000 toman available"):
        services.approve(application=application, by=national, credit_line=line)
    assert snapshot(application) == before


def test_approving_against_a_line_that_has_expired_or_serves_other_provinces(centre, national):
    expired = CreditLineFactory(valid_to=timezone.localdate() - timedelta(days=1))
    elsewhere = CreditLineFactory()
    elsewhere.provinces.add(Province.objects.exclude(pk=centre.province_id).first())
    application = recommended(centre)
    with scope_for(national), pytest.raises(DomainError, match="not valid today"):
        services.approve(application=application, by=national, credit_line=expired)
    with scope_for(national), pytest.raises(DomainError, match="does not serve"):
        services.approve(application=application, by=national, credit_line=elsewhere)
    assert snapshot(application)[0] == State.RECOMMENDED


def test_a_term_above_the_products_maximum_is_refused(centre, staff):
    plan = BusinessPlanFactory(client=ClientFactory(centre=centre))
    application = LoanApplicationFactory(plan=plan)
    with scope_for(staff), pytest.raises(DomainError, match="at most 36 months"):
        services.update_application(
            application=application,
            product=application.product,
            term_months=37,
            amount=50_000_000,
            by=staff,
        )


def test_a_draft_above_the_sizing_is_refused(centre, staff):
    # The plan's profit repays 100,000,000 rials over 20 months.
    plan = BusinessPlanFactory(client=ClientFactory(centre=centre))
    application = LoanApplicationFactory(plan=plan)
    with scope_for(staff), pytest.raises(DomainError, match="above the recommendation"):
        services.update_application(
            application=application,
            product=application.product,
            term_months=20,
            amount=101_000_000,
            by=staff,
        )


# -- the ledger -------------------------------------------------------------------------


def test_the_ledger_follows_the_loans(centre, other_centre, national, staff):
    line = CreditLineFactory(total_amount=1_000_000_000)
    loan = make_disbursed_loan(centre, amount=100_000_000, line=line)
    make_disbursed_loan(other_centre, amount=60_000_000, line=line)
    approved = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
        state=State.APPROVED,
        credit_line=line,
        approved_amount=40_000_000,
    )
    LoanApplicationFactory(state=State.WITHDRAWN, credit_line=line, approved_amount=999_000_000)
    with scope_for(staff):
        services.record_repayment(
            loan=loan, by=staff, paid_on=timezone.localdate(), amount=5_000_000
        )
    ledger = selectors.credit_line_ledger(line)
    assert (ledger.committed, ledger.disbursed, ledger.repaid) == (
        40_000_000,
        160_000_000,
        5_000_000,
    )
    assert ledger.available == 800_000_000
    with scope_for(national):
        shares = {share.centre_id: share.ledger for share in selectors.credit_line_by_centre(line)}
    assert (shares[centre.pk].committed, shares[centre.pk].disbursed) == (40_000_000, 100_000_000)
    assert shares[centre.pk].repaid == 5_000_000
    assert (shares[other_centre.pk].disbursed, shares[other_centre.pk].repaid) == (60_000_000, 0)

    # A withdrawn approval gives its amount back to the line.
    with scope_for(staff):
        services.withdraw(application=approved, by=staff, reason="منصرف شد")
    assert selectors.credit_line_ledger(line).available == 840_000_000


def test_disbursing_twice_is_refused(centre, national):
    loan = make_disbursed_loan(centre)
    with scopes_disabled():
        installments = loan.installments.count()
    with scope_for(national), pytest.raises(DomainError):
        services.disburse(
            application=loan,
            by=national,
            bank="بانک ملی",
            disbursed_on=timezone.localdate(),
            bank_reference="TX-2",
        )
    with scopes_disabled():
        assert loan.installments.count() == installments == 20


def test_disbursement_makes_the_schedule_from_the_next_jalali_month(centre):
    from datetime import date

    loan = make_disbursed_loan(centre, amount=100_000_000, disbursed_on=date(2024, 9, 21))
    with scopes_disabled():
        rows = list(loan.installments.order_by("number"))
    assert loan.first_due_on == date(2024, 10, 21)  # 1403/06/31 → 1403/07/30
    assert [r.due_on for r in rows[:2]] == [date(2024, 10, 21), date(2024, 11, 20)]
    assert {r.principal_due for r in rows} == {5_000_000}
    assert sum(r.principal_due for r in rows) == 100_000_000
