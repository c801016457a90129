"""An opening never fills more places than it has: ten staff place ten clients into its
last free place at the same moment, each request in its own thread and connection. The
opening's row lock (PostgreSQL) lets exactly one of them in; the others are told it is
closed, and nothing of theirs is saved."""

import threading

import pytest
from django.db import connections
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients.models import Enrolment, State
from hami.errors import DomainError
from placements import services
from placements.models import FollowUp, Opening, Placement, PlacementKind
from tests.factories import ClientFactory, EmployerFactory, EnrolmentFactory, OpeningFactory

REQUESTS = 10

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_ten_placements_into_the_last_place_let_exactly_one_in(centre, staff):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), places=3)
    with scopes_disabled():
        Opening.objects.filter(pk=opening.pk).update(filled=2)
    enrolments = [
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINED)
        for _ in range(REQUESTS)
    ]
    start_together = threading.Barrier(REQUESTS, timeout=30)
    placed, refused, errors = [], [], []

    def place(enrolment):
        try:
            start_together.wait()
            with scope_for(staff):
                services.place(
                    enrolment=enrolment,
                    by=staff,
                    opening=opening,
                    kind=PlacementKind.WAGE_JOB,
                    job_title="چرخ‌کار",
                    skill_level="simple",
                    contract_type="fixed_term",
                    monthly_wage=150_000_000,
                    starts_on=timezone.localdate(),
                )
            placed.append(enrolment.pk)
        except DomainError:
            refused.append(enrolment.pk)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(e,)) for e in enrolments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    with scopes_disabled():
        assert not errors, errors
        assert (len(placed), len(refused)) == (1, REQUESTS - 1)
        opening.refresh_from_db()
        assert opening.filled == 3
        assert opening.closed_at is not None
        assert list(Placement.objects.values_list("enrolment_id", flat=True)) == placed
        assert FollowUp.objects.count() == 4
        assert Enrolment.objects.filter(pk__in=refused, state=State.TRAINED).count() == len(refused)
