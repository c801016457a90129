"""Training seats: a centre trains at most its capacity at a time, the rest wait in a FIFO
line, and a freed seat is offered to the first in line (the manager confirms or skips)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from centres.scoping import scope_for
from clients import services
from clients.models import Enrolment, EnrolmentTransition, State, Track, WorkCapacity
from clients.workflow import Action
from hami.errors import DomainError
from tests.factories import (
    CentreFactory,
    ClientFactory,
    CourseFactory,
    EnrolmentFactory,
    make_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_centre(centre):
    """The centre with room for three trainees, so a full centre takes few rows."""
    centre.training_capacity = 3
    centre.save()
    return centre


@pytest.fixture
def course(small_centre):
    return CourseFactory(centre=small_centre)


def assessed(centre, *, by):
    client = ClientFactory(centre=centre, created_by=by)
    return EnrolmentFactory(client=client, state=State.ASSESSED)


def ask(enrolment, course, by):
    return services.request_training(enrolment=enrolment, course=course, by=by)


def fresh(enrolment):
    enrolment.refresh_from_db()
    return enrolment


def in_training(centre):
    return Enrolment.objects.in_training(centre).count()


def line(centre):
    """The waiting list as (enrolment id, has an offer), first in line first."""
    return [
        (enrolment.pk, enrolment.seat_offered_at is not None)
        for enrolment in Enrolment.objects.waiting_list(centre)
    ]


@pytest.fixture
def full_centre(small_centre, course, staff):
    """Three trainees in training: every seat taken."""
    trainees = [assessed(small_centre, by=staff) for _ in range(3)]
    for trainee in trainees:
        assert ask(trainee, course, staff).started
    return trainees


# -- a full centre and its line ----------------------------------------------------------


def test_a_full_centre_puts_the_next_clients_on_the_waiting_list_in_order(
    small_centre, course, staff, full_centre
):
    with scope_for(staff):
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)

        assert ask(first, course, staff) == services.TrainingRequest(started=False, position=1)
        assert ask(second, course, staff) == services.TrainingRequest(started=False, position=2)

        assert in_training(small_centre) == 3
        first, second = fresh(first), fresh(second)
        assert (first.state, second.state) == (State.WAITING, State.WAITING)
        assert first.waiting_since < second.waiting_since
        assert first.course == course  # the course the client asked for waits with them
        assert services.waiting_position(first) == 1
        assert services.waiting_position(second) == 2
        assert line(small_centre) == [(first.pk, False), (second.pk, False)]
        step = first.transitions.get()
        assert (step.action, step.from_state, step.to_state, step.by) == (
            Action.JOIN_WAITING_LIST,
            State.ASSESSED,
            State.WAITING,
            staff,
        )


@pytest.mark.parametrize("seat_freed_by", ["finish_training", "withdraw", "mark_not_ready"])
def test_a_freed_seat_is_offered_to_the_first_in_line_only(
    seat_freed_by, small_centre, course, staff, manager, full_centre
):
    with scope_for(staff):
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)
        ask(first, course, staff)
        ask(second, course, staff)
        leaving = full_centre[0]

        if seat_freed_by == "finish_training":
            services.finish_training(
                enrolment=leaving,
                by=manager,
                finished_on=timezone.localdate(),
                attendance_percent=95,
            )
        elif seat_freed_by == "withdraw":
            services.withdraw(enrolment=leaving, by=manager, reason="شغل پیدا کرد")
        else:
            services.mark_not_ready(
                enrolment=leaving,
                by=manager,
                reason="بستری در بیمارستان",
                review_on=timezone.localdate() + timedelta(days=60),
            )

        first, second = fresh(first), fresh(second)
        assert first.state == State.WAITING
        assert first.seat_offered_at is not None
        offer = first.transitions.get(action=Action.OFFER_SEAT)
        assert (offer.from_state, offer.to_state, offer.by) == (
            State.WAITING,
            State.WAITING,
            manager,
        )
        assert second.seat_offered_at is None
        assert not second.transitions.filter(action=Action.OFFER_SEAT).exists()
        assert in_training(small_centre) == 2  # the seat is held for the offer, not yet taken


def test_while_a_seat_is_on_offer_a_new_client_joins_the_end_of_the_line(
    small_centre, course, staff, full_centre
):
    with scope_for(staff):
        first = assessed(small_centre, by=staff)
        ask(first, course, staff)
        services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")
        assert in_training(small_centre) == 2  # a seat looks free, but it is offered to `first`

        newcomer = assessed(small_centre, by=staff)
        outcome = ask(newcomer, course, staff)

        assert outcome == services.TrainingRequest(started=False, position=2)
        assert fresh(newcomer).seat_offered_at is None
        assert in_training(small_centre) == 2
        assert line(small_centre) == [(first.pk, True), (newcomer.pk, False)]


def test_nobody_jumps_the_line_when_a_seat_is_free_but_others_wait(
    small_centre, course, staff, full_centre
):
    with scope_for(staff):
        # An administrator raises the capacity: a free seat, but people are already waiting.
        first = assessed(small_centre, by=staff)
        ask(first, course, staff)
        small_centre.training_capacity = 4
        small_centre.save()

        newcomer = assessed(small_centre, by=staff)
        outcome = ask(newcomer, course, staff)

        assert outcome == services.TrainingRequest(started=False, position=2)
        assert line(small_centre) == [(first.pk, True), (newcomer.pk, False)]


def test_confirming_the_offered_seat_starts_training(
    small_centre, course, staff, manager, full_centre
):
    with scope_for(staff):
        first = assessed(small_centre, by=staff)
        ask(first, course, staff)
        services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")

        services.confirm_seat(enrolment=first, by=manager)

        first = fresh(first)
        assert first.state == State.TRAINING
        assert first.seat_offered_at is None
        assert first.course == course
        assert first.training_started_on == timezone.localdate()
        step = first.transitions.last()
        assert (step.action, step.from_state, step.to_state, step.by) == (
            Action.CONFIRM_SEAT,
            State.WAITING,
            State.TRAINING,
            manager,
        )
        assert in_training(small_centre) == 3
        assert line(small_centre) == []


def test_a_seat_cannot_be_confirmed_for_a_client_without_an_offer(
    small_centre, course, staff, manager, full_centre
):
    with scope_for(staff):
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)
        ask(first, course, staff)
        ask(second, course, staff)
        services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")

        for not_offered in (second, full_centre[1]):
            with pytest.raises(DomainError):
                services.confirm_seat(enrolment=not_offered, by=manager)
            with pytest.raises(DomainError):
                services.skip_seat(enrolment=not_offered, by=manager, reason="دلیل")

        assert fresh(second).state == State.WAITING
        assert in_training(small_centre) == 2


def test_skipping_an_offer_needs_a_reason(small_centre, course, staff, manager, full_centre):
    with scope_for(staff):
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)
        ask(first, course, staff)
        ask(second, course, staff)
        services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")

        with pytest.raises(DomainError):
            services.skip_seat(enrolment=first, by=manager, reason="  ")

        assert line(small_centre) == [(first.pk, True), (second.pk, False)]
        assert not EnrolmentTransition.objects.filter(action=Action.SKIP_SEAT).exists()


def test_skipping_sends_the_client_to_the_end_and_offers_the_seat_to_the_next(
    small_centre, course, staff, manager, full_centre
):
    with scope_for(staff):
        first, second, third = (assessed(small_centre, by=staff) for _ in range(3))
        for enrolment in (first, second, third):
            ask(enrolment, course, staff)
        services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")

        services.skip_seat(enrolment=first, by=manager, reason="هنوز گواهی پزشکی ندارد")

        assert line(small_centre) == [(second.pk, True), (third.pk, False), (first.pk, False)]
        assert services.waiting_position(fresh(first)) == 3
        skip = fresh(first).transitions.get(action=Action.SKIP_SEAT)
        assert (skip.by, skip.reason) == (manager, "هنوز گواهی پزشکی ندارد")
        assert fresh(second).transitions.filter(action=Action.OFFER_SEAT).count() == 1
        assert in_training(small_centre) == 2


def test_withdrawing_the_offered_client_passes_the_offer_on(
    small_centre, course, staff, full_centre
):
    with scope_for(staff):
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)
        ask(first, course, staff)
        ask(second, course, staff)
        services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")

        services.withdraw(enrolment=first, by=staff, reason="نقل مکان")

        first = fresh(first)
        assert (first.state, first.seat_offered_at, first.waiting_since) == (
            State.WITHDRAWN,
            None,
            None,
        )
        assert line(small_centre) == [(second.pk, True)]


def test_withdrawing_a_client_without_an_offer_offers_nothing(
    small_centre, course, staff, full_centre
):
    with scope_for(staff):
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)
        ask(first, course, staff)
        ask(second, course, staff)

        services.withdraw(enrolment=first, by=staff, reason="انصراف")

        assert line(small_centre) == [(second.pk, False)]
        assert services.waiting_position(fresh(second)) == 1
        assert not EnrolmentTransition.objects.filter(action=Action.OFFER_SEAT).exists()


def test_the_line_keeps_arrival_order_when_two_requests_read_the_same_clock_tick(
    small_centre, course, staff, manager, full_centre
):
    with scope_for(staff):
        first, second, third = (assessed(small_centre, by=staff) for _ in range(3))
        with time_machine.travel(timezone.now(), tick=False):
            for enrolment in (first, second, third):
                ask(enrolment, course, staff)
            services.withdraw(enrolment=full_centre[0], by=staff, reason="انصراف")
            services.skip_seat(enrolment=first, by=manager, reason="در سفر است")

        assert [pk for pk, _offered in line(small_centre)] == [second.pk, third.pk, first.pk]
        times = [fresh(enrolment).waiting_since for enrolment in (second, third, first)]
        assert times == sorted(set(times))
        assert [services.waiting_position(fresh(e)) for e in (second, third, first)] == [1, 2, 3]


def test_a_clock_running_behind_cannot_put_a_later_request_ahead(
    small_centre, course, staff, full_centre
):
    with scope_for(staff):
        # Two app servers whose clocks differ by a second: the later request still queues last.
        first, second = assessed(small_centre, by=staff), assessed(small_centre, by=staff)
        ask(first, course, staff)
        with time_machine.travel(timezone.now() - timedelta(seconds=1), tick=False):
            outcome = ask(second, course, staff)

        assert outcome.position == 2
        assert [pk for pk, _offered in line(small_centre)] == [first.pk, second.pk]


def test_a_lower_capacity_is_respected(small_centre, course, staff):
    with scope_for(staff):
        small_centre.training_capacity = 2
        small_centre.save()
        clients = [assessed(small_centre, by=staff) for _ in range(3)]

        outcomes = [ask(enrolment, course, staff) for enrolment in clients]

        assert [outcome.started for outcome in outcomes] == [True, True, False]
        assert outcomes[2].position == 1
        assert in_training(small_centre) == 2


def test_each_centre_counts_its_own_seats(small_centre, course, staff, full_centre):
    elsewhere = CentreFactory(code="CCC-01", training_capacity=3)
    their_staff = make_member(elsewhere, username="staff.c")
    with scope_for(their_staff):
        client = assessed(elsewhere, by=their_staff)

        outcome = ask(client, CourseFactory(centre=elsewhere), their_staff)

        assert outcome.started
        assert in_training(elsewhere) == 1


# -- refusals ------------------------------------------------------------------------------


def test_a_course_of_another_centre_is_refused(small_centre, staff, other_centre):
    with scope_for(staff):
        enrolment = assessed(small_centre, by=staff)

        with pytest.raises(DomainError):
            ask(enrolment, CourseFactory(centre=other_centre), staff)

        enrolment = fresh(enrolment)
        assert (enrolment.state, enrolment.course) == (State.ASSESSED, None)
        assert not enrolment.transitions.exists()


def test_an_ended_course_is_refused(small_centre, staff):
    with scope_for(staff):
        enrolment = assessed(small_centre, by=staff)
        yesterday = timezone.localdate() - timedelta(days=1)
        ended = CourseFactory(
            centre=small_centre, starts_on=yesterday - timedelta(days=90), ends_on=yesterday
        )

        with pytest.raises(DomainError):
            ask(enrolment, ended, staff)

        assert fresh(enrolment).state == State.ASSESSED


def test_a_course_ending_today_can_still_be_joined(small_centre, staff):
    with scope_for(staff):
        enrolment = assessed(small_centre, by=staff)
        today = timezone.localdate()
        course = CourseFactory(
            centre=small_centre, starts_on=today - timedelta(days=30), ends_on=today
        )

        assert ask(enrolment, course, staff).started


@pytest.mark.parametrize("state", [State.INTAKE, State.NOT_READY, State.WAITING, State.TRAINED])
def test_only_an_assessed_client_can_ask_for_a_seat(state, small_centre, course, staff):
    with scope_for(staff):
        client = ClientFactory(centre=small_centre, created_by=staff)
        enrolment = EnrolmentFactory(
            client=client,
            state=state,
            waiting_since=timezone.now() if state == State.WAITING else None,
        )

        with pytest.raises(DomainError):
            ask(enrolment, course, staff)

        assert fresh(enrolment).state == state
        assert in_training(small_centre) == 0


# -- any sequence of actions -------------------------------------------------------------


def seat_machine(centre, course, by):
    """A state machine that runs random sequences of the seat actions at `centre` and
    checks the seat rules after every step. Each run is rolled back at its end."""

    def ids(*states, offered=None):
        enrolments = Enrolment.objects.filter(centre=centre, state__in=states)
        if offered is not None:
            enrolments = enrolments.filter(seat_offered_at__isnull=not offered)
        return list(enrolments.order_by("pk").values_list("pk", flat=True))

    def pick(data, *states, offered=None):
        return Enrolment.objects.get(pk=data.draw(st.sampled_from(ids(*states, offered=offered))))

    class SeatMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.run = transaction.atomic()
            self.run.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.run.__exit__(None, None, None)

        @precondition(lambda self: len(ids(State.ASSESSED, State.WAITING, State.TRAINING)) < 8)
        @rule()
        def assess_a_new_client(self):
            assessed(centre, by=by)

        @precondition(lambda self: ids(State.ASSESSED))
        @rule(data=st.data())
        def request_training(self, data):
            enrolment = pick(data, State.ASSESSED)
            waiting_before = len(ids(State.WAITING))
            outcome = ask(enrolment, course, by)
            if outcome.started:
                assert waiting_before == 0
            else:
                assert outcome.position == waiting_before + 1

        @precondition(lambda self: ids(State.TRAINING))
        @rule(data=st.data())
        def finish_training(self, data):
            services.finish_training(
                enrolment=pick(data, State.TRAINING),
                by=by,
                finished_on=timezone.localdate(),
                attendance_percent=80,
            )

        @precondition(lambda self: ids(State.WAITING, offered=True))
        @rule(data=st.data())
        def confirm_seat(self, data):
            services.confirm_seat(enrolment=pick(data, State.WAITING, offered=True), by=by)

        @precondition(lambda self: ids(State.WAITING, offered=True))
        @rule(data=st.data())
        def skip_seat(self, data):
            services.skip_seat(
                enrolment=pick(data, State.WAITING, offered=True), by=by, reason="نمی‌تواند"
            )

        @precondition(lambda self: ids(State.WAITING, State.TRAINING))
        @rule(data=st.data())
        def withdraw(self, data):
            services.withdraw(
                enrolment=pick(data, State.WAITING, State.TRAINING), by=by, reason="انصراف"
            )

        @precondition(lambda self: ids(State.WAITING, State.TRAINING))
        @rule(data=st.data())
        def mark_not_ready(self, data):
            services.mark_not_ready(
                enrolment=pick(data, State.WAITING, State.TRAINING),
                by=by,
                reason="بیماری",
                review_on=timezone.localdate() + timedelta(days=30),
            )

        @precondition(lambda self: ids(State.NOT_READY))
        @rule(data=st.data())
        def assess_again_as_ready(self, data):
            services.record_assessment(
                enrolment=pick(data, State.NOT_READY),
                by=by,
                assessed_on=timezone.localdate(),
                interested_in_work=True,
                work_capacity=WorkCapacity.READY,
                recommended_track=Track.WAGE_JOB,
            )

        @invariant()
        def never_more_trainees_than_seats(self):
            assert in_training(centre) <= centre.training_capacity

        @invariant()
        def offers_never_overbook_the_centre(self):
            offered = len(ids(State.WAITING, offered=True))
            assert in_training(centre) + offered <= centre.training_capacity

        @invariant()
        def no_seat_stays_free_while_someone_waits_without_an_offer(self):
            free = centre.training_capacity - in_training(centre)
            free -= len(ids(State.WAITING, offered=True))
            if free > 0:
                assert not ids(State.WAITING, offered=False)

        @invariant()
        def offers_go_to_the_front_of_the_line(self):
            has_offer = [offered for _pk, offered in line(centre)]
            assert has_offer == sorted(has_offer, reverse=True)

    return SeatMachine


def test_no_sequence_of_actions_breaks_the_seat_rules(small_centre, course, manager):
    with scope_for(manager):
        small_centre.training_capacity = 2
        small_centre.save()

        run_state_machine_as_test(
            seat_machine(small_centre, course, manager),
            settings=settings(
                max_examples=25,
                stateful_step_count=25,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
