"""The loans the accessibility check (tests/e2e/test_accessibility.py) opens: an
application at each step, a disbursed loan with a repayment and a pause, a credit line."""

from django.utils import timezone
from django_scopes import scopes_disabled

from loans import services
from loans.models import ArrearsFollowUp, State

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    CreditLineFactory,
    GuarantorFactory,
    LoanApplicationFactory,
    make_disbursed_loan,
)


def arrange_loans(centre, users) -> dict:
    def application(state):
        return LoanApplicationFactory(
            plan=BusinessPlanFactory(
                client=ClientFactory(centre=centre, created_by=users["staff"])
            ),
            state=state,
        )

    line = CreditLineFactory(reference="CL-A11Y")
    loans = {state: application(state) for state in (State.DRAFT, State.SUBMITTED)}
    loans[State.RECOMMENDED] = application(State.RECOMMENDED)
    loans[State.APPROVED] = application(State.APPROVED)
    GuarantorFactory(application=loans[State.DRAFT])
    loan = make_disbursed_loan(centre, line=line)
    with scopes_disabled():
        repayment = services.record_repayment(
            loan=loan, by=users["staff"], paid_on=timezone.localdate(), amount=2_000_000
        )
        services.pause_arrears(
            loan=loan,
            by=users["manager"],
            reason="illness",
            note="بستری در بیمارستان",
            starts_on=timezone.localdate(),
            months=2,
        )
        loans["follow_up"] = ArrearsFollowUp.objects.create(
            loan=loan, assigned_to=users["staff"], opened_on=timezone.localdate(), days_past_due=35
        )
    loans["loan"] = loan
    loans["repayment"] = repayment
    loans["line"] = line
    loans["plan"] = BusinessPlanFactory(client=ClientFactory(centre=centre))
    return loans
