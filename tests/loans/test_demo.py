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
