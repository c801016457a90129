"""What each client service refuses and what it stores, beyond the state it moves to."""

from datetime import date, datetime, timedelta

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


# -- late entries: every service takes the moment a step happened --------------------------


def test_a_journey_entered_late_keeps_its_real_dates(centre, staff, manager):
    """Each step typed in days after it happened: every record of it carries its own day."""
    with scope_for(staff):
        centre.training_capacity = 1
        centre.save()
        course = CourseFactory(centre=centre, starts_on=date(2024, 9, 1), ends_on=date(2024, 12, 1))
        days = {  # 2024-09-14 … 2024-09-19, office hours in Tehran
            step: timezone.make_aware(datetime(2024, 9, 14 + n, 9, 30))
            for n, step in enumerate(["register", "assess", "request", "free", "confirm", "finish"])
        }

        trainee = enrolment_in(State.ASSESSED, centre=centre, by=staff)
        services.request_training(
            enrolment=trainee, course=course, by=staff, at=days["register"] - timedelta(days=1)
        )
        client = services.register_client(
            centre=centre, by=staff, at=days["register"], **client_fields(centre)
        )
        enrolment = Enrolment.objects.get(client=client)
        assessment = services.record_assessment(
            enrolment=enrolment,
            by=staff,
            at=days["assess"],
            assessed_on=date(2024, 9, 15),
            interested_in_work=True,
            work_capacity=WorkCapacity.READY,
            recommended_track=Track.WAGE_JOB,
        )
        services.request_training(enrolment=enrolment, course=course, by=staff, at=days["request"])
        services.withdraw(enrolment=trainee, by=staff, reason="نقل مکان", at=days["free"])
        waiting = fresh_enrolment(enrolment)
        assert (waiting.state, waiting.waiting_since) == (State.WAITING, days["request"])
        assert waiting.seat_offered_at == days["free"]
        services.confirm_seat(enrolment=enrolment, by=manager, at=days["confirm"])
        assert fresh_enrolment(enrolment).training_started_on == date(2024, 9, 18)
        services.finish_training(
            enrolment=enrolment,
            by=staff,
            finished_on=date(2024, 9, 19),
            attendance_percent=90,
            at=days["finish"],
        )

        client.refresh_from_db()
        assert client.created_at == client.consent_recorded_at == days["register"]
        enrolment = fresh_enrolment(enrolment)
        assert enrolment.opened_at == days["register"]
        assert assessment.created_at == days["assess"]
        assert [(step.action, step.at) for step in enrolment.transitions.all()] == [
            (Action.REGISTER, days["register"]),
            (Action.ASSESS_READY, days["assess"]),
            (Action.JOIN_WAITING_LIST, days["request"]),
            (Action.OFFER_SEAT, days["free"]),
            (Action.CONFIRM_SEAT, days["confirm"]),
            (Action.FINISH_TRAINING, days["finish"]),
        ]
        assert fresh_enrolment(trainee).closed_at == days["free"]
        # The history records (django-simple-history) carry the same days and the user.
        history = [(h.history_date, h.history_user) for h in enrolment.history.order_by("pk")]
        assert history[0] == (days["register"], staff)
        assert history[-1] == (days["finish"], staff)
        assert client.history.get().history_date == days["register"]


def test_parking_skipping_and_withdrawing_late_keep_their_dates(centre, staff, manager):
    with scope_for(staff):
        centre.training_capacity = 1
        centre.save()
        course = CourseFactory(centre=centre)
        trainee = in_training(centre, by=staff, course=course)
        first = enrolment_in(State.ASSESSED, centre=centre, by=staff)
        second = enrolment_in(State.ASSESSED, centre=centre, by=staff)
        services.request_training(enrolment=first, course=course, by=staff)
        services.request_training(enrolment=second, course=course, by=staff)
        later = timezone.now() + timedelta(seconds=1)  # after the requests, in order
        park, skip = later, later + timedelta(minutes=5)

        services.mark_not_ready(
            enrolment=trainee,
            by=staff,
            reason="بیماری",
            review_on=timezone.localdate() + timedelta(days=30),
            at=park,
        )
        services.skip_seat(enrolment=first, by=manager, reason="در سفر", at=skip)
        services.withdraw(enrolment=first, by=staff, reason="انصراف", at=skip)

        assert trainee.transitions.last().at == park
        assert fresh_enrolment(first).transitions.get(action=Action.SKIP_SEAT).at == skip
        assert fresh_enrolment(first).closed_at == skip
        assert fresh_enrolment(second).seat_offered_at == skip


def test_a_moment_without_a_time_zone_is_refused(centre, staff):
    with scope_for(staff), pytest.raises(ValueError):
        services.register_client(
            centre=centre, by=staff, at=datetime(2024, 9, 14, 9, 30), **client_fields(centre)
        )


def fresh_enrolment(enrolment):
    enrolment.refresh_from_db()
    return enrolment


def test_a_client_already_not_ready_cannot_be_parked_again(centre, staff):
    """A review of a parked client is an assessment; "not ready yet" by hand is for a client
    on their way, and would overwrite the review date without a word."""
    with scope_for(staff):
        enrolment = enrolment_in(
            State.NOT_READY, centre=centre, by=staff, review_on=date(2030, 1, 1)
        )

        with pytest.raises(DomainError):
            services.mark_not_ready(
                enrolment=enrolment,
                by=staff,
                reason="بیماری",
                review_on=timezone.localdate() + timedelta(days=60),
            )

        enrolment.refresh_from_db()
        assert enrolment.review_on == date(2030, 1, 1)
        assert not enrolment.transitions.exists()
