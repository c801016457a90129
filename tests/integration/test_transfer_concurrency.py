"""Transfers under real concurrency (PostgreSQL, a thread and a connection each): several
centres asking for the same client, two decisions at once, and a transfer racing the seat
offer that a finished course makes. Each leaves exactly one consistent outcome."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.models import Membership
from centres.scoping import scope_for
from clients import services as client_services
from clients.models import Enrolment, State
from hami.errors import DomainError
from tests.factories import (
    CentreFactory,
    ClientFactory,
    CourseFactory,
    EnrolmentFactory,
    make_member,
    make_national,
)
from transfers import services
from transfers.models import Status, Transfer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def together(*actions):
    """Run each action in its own thread, all released at once; their results or errors."""
    start = threading.Barrier(len(actions), timeout=30)
    results = [None] * len(actions)

    def run(i, action):
        try:
            start.wait()
            results[i] = action()
        except Exception as error:  # the main thread looks at it
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_centres_asking_for_the_same_client_at_once_make_one_request(centre):
    client = ClientFactory(centre=centre)
    askers = []
    for n in range(6):
        receiving = CentreFactory(code=f"ASK-{n:02d}")
        askers.append((receiving, make_member(receiving, username=f"staff.ask{n}")))

    def ask(receiving, user):
        def action():
            with scope_for(user):
                return services.request_transfer(
                    id_type=client.id_type,
                    id_number=client.id_number,
                    to_centre=receiving,
                    by=user,
                    reason="Moved here.",
                )

        return action

    results = together(*(ask(c, u) for c, u in askers))
    made = [r for r in results if isinstance(r, Transfer)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert (len(made), len(refused)) == (1, 5), results
    with scopes_disabled():
        assert Transfer.objects.filter(client=client).count() == 1


def test_the_manager_and_the_national_office_deciding_at_once_make_one_decision(
    centre, other_centre, manager
):
    national = make_national(username="national.race")
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    asker = make_member(other_centre, username="staff.b")
    with scope_for(asker):
        transfer = services.request_transfer(
            id_type=enrolment.client.id_type,
            id_number=enrolment.client.id_number,
            to_centre=other_centre,
            by=asker,
            reason="Moved here.",
        )

    def decide(user, agree):
        def action():
            with scope_for(user):
                return services.decide(transfer=transfer, by=user, agree=agree, reason="r")

        return action

    results = together(decide(manager, True), decide(national, False), decide(national, True))
    decided = [r for r in results if isinstance(r, Transfer)]
    assert len(decided) == 1, results
    assert all(isinstance(r, DomainError) for r in results if r not in decided), results
    with scopes_disabled():
        transfer.refresh_from_db()
        journeys = list(Enrolment.objects.filter(client=enrolment.client).open())
        enrolment.client.refresh_from_db()
    assert len(journeys) == 1
    expected_centre = other_centre if transfer.status == Status.AGREED else centre
    assert enrolment.client.centre == expected_centre == journeys[0].centre


@pytest.mark.parametrize("run", range(3))
def test_a_transfer_racing_a_seat_offer_leaves_one_consistent_line(
    centre, other_centre, manager, run
):
    """The course of the centre's only trainee finishes (its seat goes to the first in
    line) while the first in line's file moves away: whichever comes first, the seat ends
    up offered to someone still in this centre's line, once."""
    centre.training_capacity = 1
    centre.save()
    make_member(other_centre, role=Membership.Role.MANAGER, username="manager.b")
    course = CourseFactory(centre=centre)
    trainee = EnrolmentFactory(
        client=ClientFactory(centre=centre),
        state=State.TRAINING,
        course=course,
        training_started_on=timezone.localdate() - timedelta(days=30),
    )
    now = timezone.now()
    first, second = (
        EnrolmentFactory(
            client=ClientFactory(centre=centre),
            state=State.WAITING,
            course=course,
            waiting_since=now - timedelta(days=days),
        )
        for days in (2, 1)
    )
    national = make_national(username="national.seat")

    def finish():
        with scope_for(manager):
            client_services.finish_training(
                enrolment=trainee,
                by=manager,
                finished_on=timezone.localdate(),
                attendance_percent=95,
            )

    def transfer():
        with scope_for(national):
            return services.transfer_now(
                client=first.client, to_centre=other_centre, by=national, reason="Moved."
            )

    results = together(finish, transfer)
    assert not [r for r in results if isinstance(r, Exception)], results
    with scopes_disabled():
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.state, first.seat_offered_at) == (State.WITHDRAWN, None)
        assert second.state == State.WAITING and second.seat_offered_at is not None
        assert client_services.seats_taken(centre) == 1
        moved = Enrolment.objects.filter(client=first.client).open().get()
        assert (moved.centre, moved.state) == (other_centre, State.ASSESSED)
