"""The loans the form fuzzer (tests/test_form_fuzzer.py) acts on: an application at each
step of the workflow, a disbursed loan with a repayment, so that every loan form can
succeed as well as fail."""

from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client
from loans import services
from loans.models import (
    ArrearsFollowUp,
    BusinessPlan,
    CreditLine,
    Guarantor,
    LoanApplication,
    Repayment,
    State,
)

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    CreditLineFactory,
    GuarantorFactory,
    LoanApplicationFactory,
    make_disbursed_loan,
)


def loan_world(centre) -> dict:
    def application(state):
        return LoanApplicationFactory(
            plan=BusinessPlanFactory(client=ClientFactory(centre=centre)), state=state
        )

    line = CreditLineFactory()
    draft = application(State.DRAFT)
    recommended = application(State.RECOMMENDED)
    loan = make_disbursed_loan(centre, line=line)
    with scopes_disabled():
        repayment = services.record_repayment(
            loan=loan, by=loan.created_by, paid_on=timezone.localdate(), amount=2_000_000
        )
    return {
        (Client, "loans:plan_create"): ClientFactory(centre=centre),
        (BusinessPlan, None): BusinessPlanFactory(client=ClientFactory(centre=centre)),
        (LoanApplication, None): draft,
        (LoanApplication, "loans:recommend"): application(State.SUBMITTED),
        (LoanApplication, "loans:approve"): recommended,
        (LoanApplication, "loans:reject"): recommended,
        (LoanApplication, "loans:disburse"): application(State.APPROVED),
        (LoanApplication, "loans:repay"): loan,
        (LoanApplication, "loans:pause"): loan,
        (Repayment, None): repayment,
        (Guarantor, None): GuarantorFactory(application=draft),
        (CreditLine, None): line,
        (ArrearsFollowUp, None): ArrearsFollowUp.objects.create(
            loan=loan, opened_on=timezone.localdate(), days_past_due=40
        ),
    }
