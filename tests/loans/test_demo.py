"""The demo loans `seed_demo` makes (loans/demo.py): every state, some in arrears, made
through the services, and nothing new on a second run."""

from collections import Counter

import pytest
from django_scopes import scopes_disabled

from centres.management.commands.seed_demo import Seed, seed_centres, seed_users
from clients import demo as client_demo
from loans import demo
from loans.models import ArrearsFollowUp, LoanApplication, State

pytestmark = pytest.mark.django_db


def run() -> Seed:
    seed = Seed(scale="small")
    seed_centres(seed)
    seed_users(seed)
    seed.centres = {code: seed.centres[code] for code in ("THR-01",)}
    with scopes_disabled():
        client_demo.seed(seed)
        demo.seed(seed)
    return seed


def test_demo_loans_are_in_every_state_and_some_in_arrears():
    run()
    with scopes_disabled():
        states = Counter(LoanApplication.objects.values_list("state", flat=True))
        assert set(states) == set(State.values)
        behind = LoanApplication.objects.filter(state=State.REPAYING, days_past_due__gt=30)
        assert behind.count() == 1
        assert ArrearsFollowUp.objects.filter(loan__in=behind).exists()
        repaid = LoanApplication.objects.get(state=State.REPAID)
        assert not repaid.installments.filter(paid_on__isnull=True).exists()


def test_a_second_run_changes_nothing():
    run()
    with scopes_disabled():
        before = list(LoanApplication.objects.values_list("pk", "state", "days_past_due"))
    seed = run()
    with scopes_disabled():
        assert list(LoanApplication.objects.values_list("pk", "state", "days_past_due")) == before
    assert "created" not in seed.tally.get("loans", {})


def test_some_demo_businesses_are_linked_to_the_loan_that_financed_them():
    run()
    with scopes_disabled():
        linked = list(
            LoanApplication.objects.filter(placement__isnull=False).select_related(
                "placement__enrolment"
            )
        )
        assert linked
        for loan in linked:
            assert loan.placement.kind == "self_employment"
            assert loan.placement.enrolment.client_id == loan.client_id
            assert loan.placement.business_name == loan.plan.title
        # The approved loan is left for the placement form to offer.
        assert not LoanApplication.objects.filter(
            state=State.APPROVED, placement__isnull=False
        ).exists()
