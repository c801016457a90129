"""The 60-seat rule under real concurrency: twenty staff ask for the last free seat at one
centre at the same moment, each request in its own thread and database connection. The
centre row lock (PostgreSQL) lets exactly one of them in and lines the others up FIFO."""

import threading

import pytest
from django.db import connections
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients import services
from clients.models import Enrolment, EnrolmentTransition, State
from clients.workflow import Action
from tests.factories import ClientFactory, CourseFactory, EnrolmentFactory

REQUESTS = 20

pytestmark = [
    pytest.mark.postgres,
    # Real threads need committed rows (see tests/conftest.py on reference data).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_twenty_requests_for_the_last_seat_let_exactly_one_in(centre, staff):
    course = CourseFactory(centre=centre)
    assert centre.training_capacity == 60
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                client=client,
                centre=centre,
                state=State.TRAINING,
                course=course,
                training_started_on=course.starts_on,
            )
            for client in ClientFactory.create_batch(59, centre=centre, created_by=staff)
        ]
    )
    applicants = [
        EnrolmentFactory(
            client=ClientFactory(centre=centre, created_by=staff), state=State.ASSESSED
        )
        for _ in range(REQUESTS)
    ]
    start_together = threading.Barrier(REQUESTS, timeout=30)
    outcomes, errors = {}, []

    def ask_for_a_seat(enrolment):
        try:
            start_together.wait()
            with scope_for(staff):  # each thread is a request of the centre's staff
                outcomes[enrolment.pk] = services.request_training(
                    enrolment=enrolment, course=course, by=staff
                )
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask_for_a_seat, args=(e,)) for e in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    with scopes_disabled():
        assert not errors, errors
        assert len(outcomes) == REQUESTS
        started = [pk for pk, outcome in outcomes.items() if outcome.started]
        assert len(started) == 1
        assert Enrolment.objects.in_training(centre).count() == 60

        line = list(Enrolment.objects.waiting_list(centre))
        assert len(line) == REQUESTS - 1
        assert started[0] not in {enrolment.pk for enrolment in line}
        # First come, first served: each request was told the place it actually holds, the
        # line is in the order the requests got the centre's lock (their log rows' order),
        # and no two clients share a place.
        assert [outcomes[enrolment.pk].position for enrolment in line] == list(range(1, REQUESTS))
        assert [services.waiting_position(enrolment) for enrolment in line] == list(
            range(1, REQUESTS)
        )
        arrivals = EnrolmentTransition.objects.filter(
            enrolment__centre=centre, action=Action.JOIN_WAITING_LIST
        ).order_by("pk")
        assert [step.enrolment_id for step in arrivals] == [enrolment.pk for enrolment in line]
        waiting_since = [enrolment.waiting_since for enrolment in line]
        assert waiting_since == sorted(set(waiting_since))
        assert all(enrolment.seat_offered_at is None for enrolment in line)
