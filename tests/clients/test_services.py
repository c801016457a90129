"""What each client service refuses and what it stores, beyond the state it moves to."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from centres.scoping import scope_for
from clients import services
from clients.models import (
    Assessment,
    Category,
    Client,
    Education,
    Enrolment,
    Gender,
    State,
    Track,
    WorkCapacity,
)
from clients.workflow import Action
from hami.errors import DomainError
from tests.factories import (
    ClientFactory,
    CourseFactory,
    EnrolmentFactory,
    TradeFactory,
    national_code,
)

pytestmark = pytest.mark.django_db


def client_fields(centre, **overrides):
    fields = {
        "id_number": national_code(1001),
        "welfare_file_number": "WF-SRV-1",
        "first_name": "علي",  # Arabic yeh: stored with the Persian letter
        "last_name": "رضايي",
        "gender": Gender.MALE,
        "birth_date": date(1988, 1, 10),
        "province": centre.province,
        "city": "اصفهان",
        "category": Category.PHYSICAL,
        "education": Education.PRIMARY,
    }
    return fields | overrides


def enrolment_in(state, *, centre, by, **fields):
    client = ClientFactory(centre=centre, created_by=by)
    return EnrolmentFactory(client=client, state=state, **fields)


def in_training(centre, *, by, course):
    enrolment = enrolment_in(State.ASSESSED, centre=centre, by=by)
    services.request_training(enrolment=enrolment, course=course, by=by)
    enrolment.refresh_from_db()
    return enrolment


# -- registration ------------------------------------------------------------------------


def test_registration_records_who_registered_and_the_consent_time(centre, staff):
    with scope_for(staff):
        before = timezone.now()

        client = services.register_client(centre=centre, by=staff, **client_fields(centre))

        assert client.created_by == staff
        assert client.centre == centre
        assert before <= client.consent_recorded_at <= timezone.now()
        assert (client.first_name, client.last_name) == ("علی", "رضایی")


@pytest.mark.parametrize(
    "taken",
    [{"welfare_file_number": "WF-OTHER"}, {"id_number": national_code(2002)}],
    ids=["same-identity-number", "same-welfare-file"],
)
def test_registering_a_taken_identity_or_file_number_is_refused(taken, centre, staff):
    with scope_for(staff):
        services.register_client(centre=centre, by=staff, **client_fields(centre))

        with pytest.raises(DomainError):
            services.register_client(centre=centre, by=staff, **client_fields(centre, **taken))

        assert Client.objects.count() == 1
        assert Enrolment.objects.count() == 1


def test_a_taken_identity_names_the_client_only_to_their_own_centre(centre, other_centre, staff):
    with scope_for(staff):
        client = services.register_client(centre=centre, by=staff, **client_fields(centre))

        own = services.identity_taken_message(client, viewer_centre=centre)
        other = services.identity_taken_message(client, viewer_centre=other_centre)
        national_office = services.identity_taken_message(client, viewer_centre=None)

        assert client.full_name in own and client.welfare_file_number in own
        for message in (other, national_office):
            assert client.full_name not in message
            assert client.welfare_file_number not in message


# -- assessment --------------------------------------------------------------------------


def test_an_assessment_stores_what_the_assessor_found(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.INTAKE, centre=centre, by=staff)
        tailoring, computers = TradeFactory(), TradeFactory()

        assessment = services.record_assessment(
            enrolment=enrolment,
            by=staff,
            preferred_trades=[tailoring, computers],
            assessed_on=timezone.localdate(),
            interested_in_work=True,
            work_capacity=WorkCapacity.NEEDS_SUPPORT,
            recommended_track=Track.OWN_BUSINESS,
            notes="به کار خانگی علاقه دارد",
        )

        stored = Assessment.objects.get(pk=assessment.pk)
        assert set(stored.preferred_trades.all()) == {tailoring, computers}
        assert stored.recommended_track == Track.OWN_BUSINESS
        assert enrolment.transitions.get().reason == "به کار خانگی علاقه دارد"
        assert enrolment.client.assessments.latest() == stored


@pytest.mark.parametrize(
    "state", [State.WAITING, State.TRAINING, State.TRAINED, State.PLACED], ids=str
)
def test_a_client_further_along_cannot_be_assessed_again(state, centre, staff):
    with scope_for(staff):
        waiting_since = timezone.now() if state == State.WAITING else None
        enrolment = enrolment_in(state, centre=centre, by=staff, waiting_since=waiting_since)

        with pytest.raises(DomainError):
            services.record_assessment(
                enrolment=enrolment,
                by=staff,
                assessed_on=timezone.localdate(),
                interested_in_work=True,
                work_capacity=WorkCapacity.READY,
                recommended_track=Track.WAGE_JOB,
            )

        enrolment.refresh_from_db()
        assert enrolment.state == state
        assert not Assessment.objects.exists()


# -- finishing training ------------------------------------------------------------------


def test_training_cannot_finish_before_it_started(centre, staff):
    with scope_for(staff):
        trainee = in_training(centre, by=staff, course=CourseFactory(centre=centre))

        with pytest.raises(DomainError):
            services.finish_training(
                enrolment=trainee,
                by=staff,
                finished_on=trainee.training_started_on - timedelta(days=1),
                attendance_percent=90,
            )

        trainee.refresh_from_db()
        assert (trainee.state, trainee.training_finished_on) == (State.TRAINING, None)


@pytest.mark.parametrize("attendance", [-1, 101, 250])
def test_attendance_outside_0_to_100_percent_is_refused(attendance, centre, staff):
    with scope_for(staff):
        trainee = in_training(centre, by=staff, course=CourseFactory(centre=centre))

        with pytest.raises(DomainError):
            services.finish_training(
                enrolment=trainee,
                by=staff,
                finished_on=timezone.localdate(),
                attendance_percent=attendance,
            )

        trainee.refresh_from_db()
        assert (trainee.state, trainee.attendance_percent) == (State.TRAINING, None)


@pytest.mark.parametrize("attendance", [0, 100])
def test_attendance_at_the_bounds_is_accepted(attendance, centre, staff):
    with scope_for(staff):
        trainee = in_training(centre, by=staff, course=CourseFactory(centre=centre))

        services.finish_training(
            enrolment=trainee,
            by=staff,
            finished_on=timezone.localdate(),
            attendance_percent=attendance,
        )

        trainee.refresh_from_db()
        assert (trainee.state, trainee.attendance_percent) == (State.TRAINED, attendance)


def test_only_a_trainee_can_finish_training(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.ASSESSED, centre=centre, by=staff)

        with pytest.raises(DomainError):
            services.finish_training(
                enrolment=enrolment,
                by=staff,
                finished_on=timezone.localdate(),
                attendance_percent=90,
            )

        enrolment.refresh_from_db()
        assert enrolment.state == State.ASSESSED


# -- parking a client --------------------------------------------------------------------


def test_marking_a_trainee_not_ready_frees_the_seat_until_the_review(centre, staff):
    with scope_for(staff):
        trainee = in_training(centre, by=staff, course=CourseFactory(centre=centre))
        review_on = timezone.localdate() + timedelta(days=45)

        services.mark_not_ready(
            enrolment=trainee, by=staff, reason="عمل جراحی", review_on=review_on
        )

        trainee.refresh_from_db()
        assert (trainee.state, trainee.review_on) == (State.NOT_READY, review_on)
        assert Enrolment.objects.in_training(centre).count() == 0
        step = trainee.transitions.last()
        assert (step.action, step.from_state, step.reason) == (
            Action.MARK_NOT_READY,
            State.TRAINING,
            "عمل جراحی",
        )


def test_marking_not_ready_needs_a_reason(centre, staff):
    enrolment = enrolment_in(State.ASSESSED, centre=centre, by=staff)

    with pytest.raises(DomainError):
        services.mark_not_ready(
            enrolment=enrolment,
            by=staff,
            reason="",
            review_on=timezone.localdate() + timedelta(days=30),
        )

    enrolment.refresh_from_db()
    assert enrolment.state == State.ASSESSED


# -- messages ------------------------------------------------------------------------------


def test_refusals_speak_the_users_language(centre, staff):
    with scope_for(staff):
        enrolment = enrolment_in(State.WITHDRAWN, centre=centre, by=staff, closed_at=timezone.now())

        with translation.override("fa"), pytest.raises(DomainError) as refusal:
            services.withdraw(enrolment=enrolment, by=staff, reason="دلیل")

        message = str(refusal.value.message)
        assert any("\u0600" <= letter <= "\u06ff" for letter in message), message
