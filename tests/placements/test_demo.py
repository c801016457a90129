"""The demo placements `seed_demo` makes (placements/demo.py): employers, openings with
candidates to suggest, placements of both kinds, follow-ups in every status with some due
today, made through the services; nothing new on a second run."""

from collections import Counter

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.management.commands.seed_demo import Seed, seed_centres, seed_users
from clients import demo as client_demo
from clients.models import State
from placements import demo
from placements.models import (
    Employer,
    FollowUp,
    FollowUpStatus,
    Opening,
    Placement,
    PlacementKind,
)
from placements.selectors import suggestions

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


def test_demo_follow_ups_are_in_every_status_and_some_are_due_today():
    run()
    today = timezone.localdate()
    with scopes_disabled():
        statuses = Counter(FollowUp.objects.values_list("status", flat=True))
        assert set(statuses) == set(FollowUpStatus.values)
        assert FollowUp.objects.filter(due_on=today, status=FollowUpStatus.DUE).count() == 2
        kinds = set(Placement.objects.values_list("kind", flat=True))
        assert kinds == set(PlacementKind.values)
        journeys = Counter(Placement.objects.values_list("enrolment__state", flat=True))
        assert journeys[State.SUSTAINED] == 1 and journeys[State.SEEKING_WORK] == 1
        assert Employer.objects.count() == 4


def test_demo_openings_suggest_trained_clients_and_one_is_full():
    run()
    with scopes_disabled():
        open_ones = Opening.objects.filter(closed_at__isnull=True)
        assert open_ones.count() == 2
        # The first is in the trade the centre's trained clients learnt.
        assert suggestions(open_ones.order_by("pk").first())
        full = Opening.objects.get(closed_at__isnull=False)
        assert full.filled == full.places == 1


def test_a_second_run_changes_nothing():
    run()
    with scopes_disabled():
        before = sorted(FollowUp.objects.values_list("pk", "status"))
    run()
    with scopes_disabled():
        assert sorted(FollowUp.objects.values_list("pk", "status")) == before
