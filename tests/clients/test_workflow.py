"""The enrolment state machine: which step is allowed from which state, that every step is
logged, and the main paths a client takes through the services."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

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
from clients.workflow import TRANSITIONS, Action, move
from hami.errors import DomainError
from tests.factories import ClientFactory, CourseFactory, EnrolmentFactory, national_code

pytestmark = pytest.mark.django_db

# The journey as DESIGN.md tells it: intake → assessed → waiting → training → trained →
# placed → sustained, and withdrawn / not ready from any open state. Written out here, not
# read from `TRANSITIONS`, so that a change to the table is a change to this statement.
EXPECTED = {
    Action.ASSESS_READY: ({State.INTAKE, State.ASSESSED, State.NOT_READY}, State.ASSESSED),
    Action.MARK_NOT_READY: (set(OPEN_STATES), State.NOT_READY),
    Action.JOIN_WAITING_LIST: ({State.ASSESSED}, State.WAITING),
    Action.OFFER_SEAT: ({State.WAITING}, State.WAITING),
    Action.SKIP_SEAT: ({State.WAITING}, State.WAITING),
    Action.START_TRAINING: ({State.ASSESSED, State.WAITING}, State.TRAINING),
    Action.FINISH_TRAINING: ({State.TRAINING}, State.TRAINED),
    Action.PLACE: ({State.TRAINED}, State.PLACED),
    Action.SUSTAIN: ({State.PLACED}, State.SUSTAINED),
    Action.WITHDRAW: (set(OPEN_STATES), State.WITHDRAWN),
}
MOVES = [action for action in Action if action != Action.REGISTER]
PAIRS = [(state, action) for state in State for action in MOVES]
ALLOWED = [(state, action) for state, action in PAIRS if state in EXPECTED[action][0]]
REFUSED = [(state, action) for state, action in PAIRS if state not in EXPECTED[action][0]]


def pair_id(value):
    return value.value


def enrolment_in(state, *, centre, by):
    """An enrolment put straight into `state`, with the fields that state carries."""
    extra = {}
    if state == State.WAITING:
        extra["waiting_since"] = timezone.now()
    if state in CLOSED_STATES:
        extra["closed_at"] = timezone.now()
    client = ClientFactory(centre=centre, created_by=by)
    return EnrolmentFactory(client=client, state=state, **extra)


def assessment_fields(**overrides):
    fields = {
        "assessed_on": timezone.localdate(),
        "interested_in_work": True,
        "work_capacity": WorkCapacity.READY,
        "recommended_track": Track.WAGE_JOB,
    }
    return fields | overrides


def test_the_transition_table_is_the_designed_journey():
    assert set(TRANSITIONS) == set(MOVES)
    for action, (sources, target) in TRANSITIONS.items():
        assert (set(sources), target) == EXPECTED[action], action


def test_every_state_action_pair_is_either_allowed_or_refused():
    assert len(ALLOWED) + len(REFUSED) == len(State) * len(MOVES)
    assert {state for state, _action in ALLOWED} == set(OPEN_STATES)


# -- move(): the whole table -------------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), ALLOWED, ids=pair_id)
def test_allowed_step_moves_to_its_target_and_logs_one_transition(state, action, centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(state, centre=centre, by=staff)
        if action == Action.JOIN_WAITING_LIST:
            enrolment.waiting_since = timezone.now()  # the caller's part: a place in line
        if action == Action.START_TRAINING:  # the caller's part: a course and a start date
            enrolment.course = CourseFactory(centre=centre)
            enrolment.training_started_on = timezone.localdate()

        transition = move(enrolment, action, by=staff, reason="دلیل آزمایشی")

        target = EXPECTED[action][1]
        enrolment.refresh_from_db()
        assert enrolment.state == target
        logged = EnrolmentTransition.objects.get(enrolment=enrolment)
        assert logged == transition
        assert (logged.action, logged.from_state, logged.to_state) == (action, state, target)
        assert logged.by == staff
        assert logged.reason == "دلیل آزمایشی"
        assert logged.at is not None
        assert (enrolment.closed_at is not None) == (target in CLOSED_STATES)


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=pair_id)
def test_refused_step_raises_and_changes_nothing(state, action, centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(state, centre=centre, by=staff)
        history_before = enrolment.history.count()

        with pytest.raises(DomainError) as refusal:
            move(enrolment, action, by=staff, reason="دلیل")

        assert str(action.label) in str(refusal.value.message)
        assert enrolment.state == state
        enrolment.refresh_from_db()
        assert enrolment.state == state
        assert not EnrolmentTransition.objects.filter(enrolment=enrolment).exists()
        assert enrolment.history.count() == history_before


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
            Action.MARK_NOT_READY,
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

        move(enrolment, Action.PLACE, by=staff)
        move(enrolment, Action.SUSTAIN, by=staff, at=timezone.now() - timedelta(hours=1))

        enrolment.refresh_from_db()
        assert enrolment.state == State.SUSTAINED
        assert enrolment.closed_at < timezone.now() - timedelta(minutes=59)
        assert [step.to_state for step in enrolment.transitions.all()] == [
            State.PLACED,
            State.SUSTAINED,
        ]
