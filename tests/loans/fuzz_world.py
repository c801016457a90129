"""The loans the form fuzzer (tests/test_form_fuzzer.py) acts on: an application at each
step of the workflow, a disbursed loan with a repayment, so that every loan form can
succeed as well as fail."""

from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client
from clients.models import State as EnrolmentState
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
    EnrolmentFactory,
    GuarantorFactory,
    LoanApplicationFactory,
    PlacementFactory,
    make_disbursed_loan,
)


def own_business(client):
    """A self-employment placement of `client`, for a loan to be linked to."""
    return PlacementFactory(
        enrolment=EnrolmentFactory(client=client, state=EnrolmentState.PLACED),
        kind="self_employment",
        employer=None,
        job_title="",
        skill_level="",
        monthly_wage=None,
        contract_type="",
        business_name="خیاطی خانگی",
        premises="home",
        activity="دوخت مانتو",
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
    # A disbursed loan whose client runs a business to link it to, and one linked already.
    to_link = application(State.DISBURSED)
    own_business(to_link.client)
    linked = application(State.REPAYING)
    with scopes_disabled():
        LoanApplication.objects.filter(pk=linked.pk).update(placement=own_business(linked.client))
    return {
        (Client, "loans:plan_create"): ClientFactory(centre=centre),
        (LoanApplication, "loans:link_placement"): to_link,
        (LoanApplication, "loans:unlink_placement"): linked,
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
