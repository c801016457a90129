"""The enrolment state machine: which step is allowed from which state, that every step is
logged, and the main paths a client takes through the services."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients import services
from clients.models import (
    CLOSED_STATES,
    OPEN_STATES,
    Assessment,
    Category,
    Education,
    Enrolment,
    EnrolmentQuerySet,
    EnrolmentTransition,
    Gender,
    State,
    Track,
    WorkCapacity,
)
from clients.workflow import TRANSITIONS, Action, can, move
from hami.errors import DomainError
from tests.factories import ClientFactory, CourseFactory, EnrolmentFactory, national_code

pytestmark = pytest.mark.django_db

INTAKE, ASSESSED, WAITING, TRAINING = State.INTAKE, State.ASSESSED, State.WAITING, State.TRAINING
TRAINED, PLACED, SUSTAINED = State.TRAINED, State.PLACED, State.SUSTAINED
WITHDRAWN, NOT_READY, SEEKING_WORK = State.WITHDRAWN, State.NOT_READY, State.SEEKING_WORK
OPEN = {INTAKE, ASSESSED, WAITING, TRAINING, TRAINED, PLACED, SEEKING_WORK, NOT_READY}
OFFER, NO_OFFER = "a seat is on offer", "no seat is on offer"

# The journey as DESIGN.md tells it: intake → assessed → waiting → training → trained →
# placed → sustained, and withdrawn / not ready from any open state; placed → seeking work
# again → placed when a job ends during the year of follow-up. Each action: the states
# it may start from, the state it leads to, and what it needs besides (a seat on offer or
# none). Written out here, not read from `TRANSITIONS`, so that a change to the table is a
# change to this statement.
EXPECTED = {
    # An assessment finds the client ready or not ready yet; a review may find them still
    # not ready. Parking by hand is for an open enrolment not already parked.
    Action.ASSESS_READY: ({INTAKE, ASSESSED, NOT_READY}, ASSESSED, None),
    Action.ASSESS_NOT_READY: ({INTAKE, ASSESSED, NOT_READY}, NOT_READY, None),
    Action.MARK_NOT_READY: (OPEN - {NOT_READY}, NOT_READY, None),
    Action.START_TRAINING: ({ASSESSED}, TRAINING, None),
    Action.JOIN_WAITING_LIST: ({ASSESSED}, WAITING, None),
    Action.OFFER_SEAT: ({WAITING}, WAITING, NO_OFFER),
    Action.SKIP_SEAT: ({WAITING}, WAITING, OFFER),
    Action.CONFIRM_SEAT: ({WAITING}, TRAINING, OFFER),
    Action.FINISH_TRAINING: ({TRAINING}, TRAINED, None),
    # Placed after training, straight after the assessment (no training needed), or again
    # after a job that ended; a job that ends before the year is over reopens support.
    Action.PLACE: ({TRAINED, ASSESSED, SEEKING_WORK}, PLACED, None),
    Action.SUSTAIN: ({PLACED}, SUSTAINED, None),
    Action.END_PLACEMENT: ({PLACED}, SEEKING_WORK, None),
    Action.WITHDRAW: (OPEN, WITHDRAWN, None),
}
GUARD_REFUSALS = {
    OFFER: "No seat is on offer for this client.",
    NO_OFFER: "A seat is already on offer for this client.",
}
MOVES = [action for action in Action if action != Action.REGISTER]
# Where an enrolment can be: each state without a seat offer, and waiting with one.
SITUATIONS = [(state, NO_OFFER) for state in State] + [(WAITING, OFFER)]


def allowed(situation, action) -> bool:
    (state, offer), (sources, _target, needs) = situation, EXPECTED[action]
    return state in sources and needs in (None, offer)


CASES = [(situation, action) for situation in SITUATIONS for action in MOVES]
ALLOWED = [case for case in CASES if allowed(*case)]
REFUSED = [case for case in CASES if not allowed(*case)]


def case_id(value):
    if isinstance(value, tuple):
        state, offer = value
        return f"{state.value}{'+offer' if offer == OFFER else ''}"
    return value.value


def enrolment_in(state, *, centre, by, offer=NO_OFFER):
    """An enrolment put straight into `state`, with the fields that state carries."""
    client = ClientFactory(centre=centre, created_by=by)
    offered_at = timezone.now() if offer == OFFER else None
    return EnrolmentFactory(client=client, state=state, seat_offered_at=offered_at)


def assessment_fields(**overrides):
    fields = {
        "assessed_on": timezone.localdate(),
        "interested_in_work": True,
        "work_capacity": WorkCapacity.READY,
        "recommended_track": Track.WAGE_JOB,
    }
    return fields | overrides


def callers_part(enrolment, action, centre) -> dict:
    """The fields the service sets with each move (what the database requires of the
    state the move leads to)."""
    today = timezone.localdate()
    fields = {
        Action.ASSESS_NOT_READY: {"review_on": today + timedelta(days=30)},
        Action.MARK_NOT_READY: {
            "review_on": today + timedelta(days=30),
            "seat_offered_at": None,
        },
        Action.START_TRAINING: {
            "course": CourseFactory(centre=centre),
            "training_started_on": today,
        },
        Action.JOIN_WAITING_LIST: {
            "course": CourseFactory(centre=centre),
            "waiting_since": timezone.now(),
        },
        Action.OFFER_SEAT: {"seat_offered_at": timezone.now()},
        Action.SKIP_SEAT: {"seat_offered_at": None},
        Action.CONFIRM_SEAT: {"seat_offered_at": None, "training_started_on": today},
        Action.FINISH_TRAINING: {"training_finished_on": today, "attendance_percent": 80},
        Action.WITHDRAW: {"seat_offered_at": None},
    }.get(action, {})
    if enrolment.state == NOT_READY and action != Action.ASSESS_NOT_READY:
        fields["review_on"] = None  # a review date only while not ready
    return fields


def test_the_transition_table_is_the_designed_journey():
    assert set(TRANSITIONS) == set(MOVES)
    for action, transition in TRANSITIONS.items():
        sources, target, _needs = EXPECTED[action]
        assert (set(transition.sources), transition.target) == (sources, target), action


def test_every_situation_action_pair_is_either_allowed_or_refused():
    assert len(ALLOWED) + len(REFUSED) == len(SITUATIONS) * len(MOVES)
    assert {state for (state, _offer), _action in ALLOWED} == OPEN
    assert not any(state in {WITHDRAWN, SUSTAINED} for (state, _), _action in ALLOWED)


# -- move(): the whole table -------------------------------------------------------------


@pytest.mark.parametrize(("situation", "action"), ALLOWED, ids=case_id)
def test_allowed_step_moves_to_its_target_and_logs_one_transition(situation, action, centre, staff):
    state, offer = situation
    with scope_for(staff):
        enrolment = enrolment_in(state, centre=centre, by=staff, offer=offer)
        assert can(enrolment, action)

        transition = move(
            enrolment,
            action,
            by=staff,
            reason="دلیل آزمایشی",
            **callers_part(enrolment, action, centre),
        )

        target = EXPECTED[action][1]
        enrolment.refresh_from_db()
        assert enrolment.state == target
        logged = EnrolmentTransition.objects.get(enrolment=enrolment)
        assert logged == transition
        assert (logged.action, logged.from_state, logged.to_state) == (action, state, target)
        assert logged.by == staff
        assert logged.reason == "دلیل آزمایشی"
        assert logged.at is not None
        assert (enrolment.closed_at is not None) == (target in {WITHDRAWN, SUSTAINED})


@pytest.mark.parametrize(("situation", "action"), REFUSED, ids=case_id)
def test_refused_step_raises_and_changes_nothing(situation, action, centre, staff):
    state, offer = situation
    with scope_for(staff):
        enrolment = enrolment_in(state, centre=centre, by=staff, offer=offer)
        history_before = enrolment.history.count()
        assert not can(enrolment, action)

        with translation.override("en"):
            with pytest.raises(DomainError) as refusal:
                move(enrolment, action, by=staff, reason="دلیل")

            sources, _target, needs = EXPECTED[action]
            message = str(refusal.value.message)
            if state in sources:  # the state would do; what the move needs besides is missing
                assert message == GUARD_REFUSALS[needs]
            else:
                assert str(action.label) in message
        assert enrolment.state == state
        enrolment.refresh_from_db()
        assert enrolment.state == state
        assert not EnrolmentTransition.objects.filter(enrolment=enrolment).exists()
        assert enrolment.history.count() == history_before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_move_outside_a_transaction_is_refused(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(INTAKE, centre=centre, by=staff)

        with pytest.raises(RuntimeError):
            move(enrolment, Action.WITHDRAW, by=staff, reason="انصراف")

        enrolment.refresh_from_db()
        assert enrolment.state == INTAKE
        assert not enrolment.transitions.exists()
        with transaction.atomic():
            move(enrolment, Action.WITHDRAW, by=staff, reason="انصراف")
        enrolment.refresh_from_db()
        assert enrolment.state == WITHDRAWN


def test_a_step_cannot_be_dated_before_the_last_recorded_one(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(INTAKE, centre=centre, by=staff)
        registered = timezone.now() - timedelta(days=3)
        EnrolmentTransition.objects.create(
            enrolment=enrolment, action=Action.REGISTER, to_state=INTAKE, by=staff, at=registered
        )

        with pytest.raises(DomainError):
            services.withdraw(
                enrolment=enrolment, by=staff, reason="انصراف", at=registered - timedelta(days=1)
            )

        enrolment.refresh_from_db()
        assert enrolment.state == INTAKE


# -- the main paths, through the services --------------------------------------------------


def test_registering_a_client_opens_an_enrolment_at_intake(centre, staff):
    with scope_for(staff):
        fields = {
            "id_number": national_code(4242),
            "welfare_file_number": "WF-REG-1",
            "first_name": "زهرا",
            "last_name": "کریمی",
            "gender": Gender.FEMALE,
            "birth_date": date(1992, 6, 1),
            "province": centre.province,
            "city": "تهران",
            "category": Category.FEMALE_HEAD,
            "education": Education.DIPLOMA,
        }

        client = services.register_client(centre=centre, by=staff, **fields)

        enrolment = Enrolment.objects.get(client=client)
        assert (enrolment.centre, enrolment.state) == (centre, State.INTAKE)
        registration = EnrolmentTransition.objects.get(enrolment=enrolment)
        assert (registration.action, registration.from_state, registration.to_state) == (
            Action.REGISTER,
            "",
            State.INTAKE,
        )
        assert registration.by == staff


def test_ready_assessment_moves_intake_to_assessed(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.INTAKE, centre=centre, by=staff)

        assessment = services.record_assessment(
            enrolment=enrolment, by=staff, **assessment_fields(notes="آماده کار")
        )

        enrolment.refresh_from_db()
        assert enrolment.state == State.ASSESSED
        assert assessment.client == enrolment.client
        assert assessment.assessor == staff
        step = enrolment.transitions.get()
        assert (step.action, step.from_state, step.to_state, step.by) == (
            Action.ASSESS_READY,
            State.INTAKE,
            State.ASSESSED,
            staff,
        )


def test_needing_support_still_counts_as_ready(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.INTAKE, centre=centre, by=staff)

        services.record_assessment(
            enrolment=enrolment,
            by=staff,
            **assessment_fields(work_capacity=WorkCapacity.NEEDS_SUPPORT),
        )

        enrolment.refresh_from_db()
        assert enrolment.state == State.ASSESSED


@pytest.mark.parametrize(
    "not_ready",
    [
        {"interested_in_work": False},
        {"work_capacity": WorkCapacity.NOT_READY},
    ],
    ids=["not-interested", "not-capable-yet"],
)
def test_not_ready_assessment_parks_the_enrolment_until_the_review_date(not_ready, centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.INTAKE, centre=centre, by=staff)
        review_on = timezone.localdate() + timedelta(days=90)

        services.record_assessment(
            enrolment=enrolment,
            by=staff,
            **assessment_fields(review_on=review_on, referral="مرکز توانبخشی", **not_ready),
        )

        enrolment.refresh_from_db()
        assert (enrolment.state, enrolment.review_on) == (State.NOT_READY, review_on)
        step = enrolment.transitions.get()
        assert (step.action, step.to_state, step.reason) == (
            Action.ASSESS_NOT_READY,
            State.NOT_READY,
            "مرکز توانبخشی",
        )


def test_a_later_ready_assessment_brings_a_not_ready_client_back(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.INTAKE, centre=centre, by=staff)
        services.record_assessment(
            enrolment=enrolment,
            by=staff,
            **assessment_fields(
                interested_in_work=False, review_on=timezone.localdate() + timedelta(days=30)
            ),
        )

        services.record_assessment(enrolment=enrolment, by=staff, **assessment_fields())

        enrolment.refresh_from_db()
        assert (enrolment.state, enrolment.review_on) == (State.ASSESSED, None)
        assert list(enrolment.transitions.values_list("from_state", "to_state")) == [
            (State.INTAKE, State.NOT_READY),
            (State.NOT_READY, State.ASSESSED),
        ]
        assert Assessment.objects.filter(client=enrolment.client).count() == 2


def test_not_ready_assessment_without_a_review_date_is_refused_and_not_stored(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.INTAKE, centre=centre, by=staff)

        with pytest.raises(DomainError):
            services.record_assessment(
                enrolment=enrolment, by=staff, **assessment_fields(interested_in_work=False)
            )

        enrolment.refresh_from_db()
        assert enrolment.state == State.INTAKE
        assert not Assessment.objects.filter(client=enrolment.client).exists()
        assert not enrolment.transitions.exists()


def test_requesting_training_with_a_free_seat_starts_training(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.ASSESSED, centre=centre, by=staff)
        course = CourseFactory(centre=centre)

        outcome = services.request_training(enrolment=enrolment, course=course, by=staff)

        assert outcome == services.TrainingRequest(started=True)
        enrolment.refresh_from_db()
        assert enrolment.state == State.TRAINING
        assert enrolment.course == course
        assert enrolment.training_started_on == timezone.localdate()
        assert enrolment.waiting_since is None
        step = enrolment.transitions.get()
        assert (step.action, step.from_state, step.to_state) == (
            Action.START_TRAINING,
            State.ASSESSED,
            State.TRAINING,
        )


def test_finishing_training_records_attendance_and_certificate(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.ASSESSED, centre=centre, by=staff)
        services.request_training(
            enrolment=enrolment, course=CourseFactory(centre=centre), by=staff
        )
        finished_on = timezone.localdate()

        services.finish_training(
            enrolment=enrolment,
            by=staff,
            finished_on=finished_on,
            attendance_percent=92,
            certificate_number="  ۱۴۰۳-۱۲۳  ",
        )

        enrolment.refresh_from_db()
        assert enrolment.state == State.TRAINED
        assert enrolment.training_finished_on == finished_on
        assert enrolment.attendance_percent == 92
        assert enrolment.certificate_number == "۱۴۰۳-۱۲۳"
        assert enrolment.transitions.last().action == Action.FINISH_TRAINING


@pytest.mark.parametrize("state", sorted(OPEN_STATES), ids=str)
def test_withdrawing_from_an_open_state_needs_a_reason(state, centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(state, centre=centre, by=staff)

        for blank in ("", "   "):
            with pytest.raises(DomainError):
                services.withdraw(enrolment=enrolment, by=staff, reason=blank)
        enrolment.refresh_from_db()
        assert enrolment.state == state
        assert not enrolment.transitions.exists()

        services.withdraw(enrolment=enrolment, by=staff, reason="مهاجرت به شهر دیگر")

        enrolment.refresh_from_db()
        assert enrolment.state == State.WITHDRAWN
        assert enrolment.closed_at is not None
        assert enrolment.waiting_since is None
        step = enrolment.transitions.get()
        assert (step.action, step.from_state, step.to_state, step.by, step.reason) == (
            Action.WITHDRAW,
            state,
            State.WITHDRAWN,
            staff,
            "مهاجرت به شهر دیگر",
        )


def _every_service(enrolment, staff, course):
    today = timezone.localdate()
    return {
        "record_assessment": lambda: services.record_assessment(
            enrolment=enrolment, by=staff, **assessment_fields()
        ),
        "request_training": lambda: services.request_training(
            enrolment=enrolment, course=course, by=staff
        ),
        "confirm_seat": lambda: services.confirm_seat(enrolment=enrolment, by=staff),
        "skip_seat": lambda: services.skip_seat(enrolment=enrolment, by=staff, reason="بیماری"),
        "finish_training": lambda: services.finish_training(
            enrolment=enrolment, by=staff, finished_on=today, attendance_percent=90
        ),
        "withdraw": lambda: services.withdraw(enrolment=enrolment, by=staff, reason="انصراف"),
        "mark_not_ready": lambda: services.mark_not_ready(
            enrolment=enrolment, by=staff, reason="بیماری", review_on=today + timedelta(days=30)
        ),
    }


@pytest.mark.parametrize(
    "service",
    [
        "record_assessment",
        "request_training",
        "confirm_seat",
        "skip_seat",
        "finish_training",
        "withdraw",
        "mark_not_ready",
    ],
)
@pytest.mark.parametrize("state", sorted(CLOSED_STATES), ids=str)
def test_a_closed_enrolment_refuses_every_action(state, service, centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(state, centre=centre, by=staff)
        course = CourseFactory(centre=centre)

        with pytest.raises(DomainError):
            _every_service(enrolment, staff, course)[service]()

        enrolment.refresh_from_db()
        assert enrolment.state == state
        assert not enrolment.transitions.exists()
        assert not Assessment.objects.filter(client=enrolment.client).exists()


# -- one open enrolment per client --------------------------------------------------------


def test_the_database_refuses_a_second_open_enrolment(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.TRAINING, centre=centre, by=staff)

        with pytest.raises(IntegrityError), transaction.atomic():
            Enrolment.objects.create(client=enrolment.client, centre=centre, state=State.INTAKE)

        assert Enrolment.objects.filter(client=enrolment.client).count() == 1


def test_opening_a_second_enrolment_while_one_is_open_is_refused(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.ASSESSED, centre=centre, by=staff)

        with pytest.raises(DomainError):
            services.open_enrolment(client=enrolment.client, by=staff)

        assert Enrolment.objects.filter(client=enrolment.client).count() == 1


def test_two_staff_opening_an_enrolment_at_once_get_the_same_refusal(centre, staff):
    with scope_for(staff):
        # Both passed the "no open enrolment" check; the database constraint decides.
        enrolment = enrolment_in(State.WITHDRAWN, centre=centre, by=staff)
        winner = services.open_enrolment(client=enrolment.client, by=staff)

        with (
            mock.patch.object(EnrolmentQuerySet, "exists", return_value=False),
            pytest.raises(DomainError),
        ):
            services.open_enrolment(client=enrolment.client, by=staff)

        assert list(Enrolment.objects.filter(client=enrolment.client).open()) == [winner]
        assert EnrolmentTransition.objects.filter(action=Action.REGISTER).count() == 1


@pytest.mark.parametrize("closed_by", ["withdraw", "sustained"])
def test_a_new_enrolment_can_be_opened_once_the_last_one_is_closed(closed_by, centre, staff):
    with scope_for(staff):
        if closed_by == "withdraw":
            enrolment = enrolment_in(State.WAITING, centre=centre, by=staff)
            services.withdraw(enrolment=enrolment, by=staff, reason="مشکل رفت و آمد")
        else:
            enrolment = enrolment_in(State.SUSTAINED, centre=centre, by=staff)

        reopened = services.open_enrolment(client=enrolment.client, by=staff)

        assert reopened.pk != enrolment.pk
        assert (reopened.state, reopened.centre) == (State.INTAKE, centre)
        assert reopened.transitions.get().action == Action.REGISTER
        assert list(Enrolment.objects.filter(client=enrolment.client).open()) == [reopened]


def test_sustained_is_reached_through_placement(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.TRAINED, centre=centre, by=staff)

        move(enrolment, Action.PLACE, by=staff, at=timezone.now() - timedelta(hours=2))
        move(enrolment, Action.SUSTAIN, by=staff, at=timezone.now() - timedelta(hours=1))

        enrolment.refresh_from_db()
        assert enrolment.state == State.SUSTAINED
        assert enrolment.closed_at < timezone.now() - timedelta(minutes=59)
        assert [step.to_state for step in enrolment.transitions.all()] == [
            State.PLACED,
            State.SUSTAINED,
        ]


# -- what the database refuses, whatever the code does ----------------------------------------

TODAY = date(2024, 9, 14)
BROKEN = {
    "not-ready-without-a-review-date": (NOT_READY, {"review_on": None}),
    "a-review-date-while-assessed": (ASSESSED, {"review_on": TODAY}),
    "withdrawn-without-a-closing-time": (WITHDRAWN, {"closed_at": None}),
    "sustained-without-a-closing-time": (SUSTAINED, {"closed_at": None}),
    "in-training-with-a-closing-time": (TRAINING, {"closed_at": timezone.now()}),
    "finished-before-it-started": (
        TRAINED,
        {"training_started_on": TODAY, "training_finished_on": TODAY - timedelta(days=1)},
    ),
    "finished-without-a-start": (
        WITHDRAWN,
        {"training_started_on": None, "training_finished_on": TODAY},
    ),
    "trained-without-attendance": (TRAINED, {"attendance_percent": None}),
    "trained-without-a-finish-date": (TRAINED, {"training_finished_on": None}),
    "placed-without-attendance": (PLACED, {"attendance_percent": None}),
    "sustained-without-a-course": (SUSTAINED, {"course": None}),
    "waiting-without-a-course": (WAITING, {"course": None}),
}


@pytest.mark.parametrize(("state", "broken"), BROKEN.values(), ids=BROKEN.keys())
def test_the_database_refuses_an_enrolment_that_breaks_its_states_rules(
    state, broken, centre, staff
):
    enrolment = enrolment_in(state, centre=centre, by=staff)

    with scopes_disabled():
        with pytest.raises(IntegrityError), transaction.atomic():
            Enrolment.objects.filter(pk=enrolment.pk).update(**broken)

        enrolment.refresh_from_db()
        assert enrolment.state == state


# -- the client page offers what the table allows ------------------------------------------

# Each button of the client page and the moves its page makes.
BUTTONS = {
    "clients:assess": {Action.ASSESS_READY, Action.ASSESS_NOT_READY},
    "clients:start_training": {Action.START_TRAINING, Action.JOIN_WAITING_LIST},
    "clients:finish_training": {Action.FINISH_TRAINING},
    "clients:confirm_seat": {Action.CONFIRM_SEAT},
    "clients:skip_seat": {Action.SKIP_SEAT},
    "clients:not_ready": {Action.MARK_NOT_READY},
    "clients:withdraw": {Action.WITHDRAW},
}


@pytest.mark.parametrize("situation", SITUATIONS, ids=case_id)
def test_the_client_page_shows_a_button_for_each_allowed_move(situation, centre, manager, login):
    state, offer = situation
    enrolment = enrolment_in(state, centre=centre, by=manager, offer=offer)
    page = login(manager).get(reverse("clients:detail", args=[enrolment.client_id]))
    html = page.content.decode()

    for name, moves in BUTTONS.items():
        pk = enrolment.client_id if name == "clients:assess" else enrolment.pk
        expected = any(allowed(situation, action) for action in moves)
        assert (reverse(name, args=[pk]) in html) == expected, name
