"""The Django admin is a window on the client records, not a way round the workflow: an
enrolment's state, centre and course cannot be set there, the transition log cannot be
changed or deleted (by superusers neither), and the admin actions go through the services."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Enrolment, EnrolmentTransition, State
from clients.workflow import Action
from tests.factories import ClientFactory, CourseFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login):
    return login(UserFactory(username="root", is_superuser=True, is_staff=True))


@pytest.fixture
def trainee(centre, staff):
    return EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING)


def change_url(enrolment):
    return reverse("admin:clients_enrolment_change", args=[enrolment.pk])


def test_the_enrolment_form_cannot_set_state_centre_or_course(admin_client, trainee, other_centre):
    other_course = CourseFactory(centre=other_centre)
    form = admin_client.get(change_url(trainee)).content.decode()
    assert 'name="state"' not in form and 'name="centre"' not in form

    # Everything the old, editable form took, valid: a sustained enrolment elsewhere.
    admin_client.post(
        change_url(trainee),
        {
            "client": trainee.client_id,
            "centre": other_centre.pk,
            "state": State.SUSTAINED,
            "course": other_course.pk,
            "training_started_on": "2024-01-01",
            "training_finished_on": "2024-03-01",
            "attendance_percent": "90",
            "closed_at_0": "2024-06-01",
            "closed_at_1": "10:00:00",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
            "transitions-MIN_NUM_FORMS": "0",
            "transitions-MAX_NUM_FORMS": "1000",
        },
    )

    with scopes_disabled():
        trainee.refresh_from_db()
        assert (trainee.state, trainee.centre_id, trainee.closed_at) == (
            State.TRAINING,
            trainee.client.centre_id,
            None,
        )
        assert trainee.course.centre_id == trainee.centre_id
        assert not trainee.transitions.exists()


def test_enrolments_cannot_be_added_deleted_or_reverted_in_the_admin(admin_client, trainee):
    with scopes_disabled():
        version = trainee.history.earliest()
    assert admin_client.get(reverse("admin:clients_enrolment_add")).status_code == 403
    delete = reverse("admin:clients_enrolment_delete", args=[trainee.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    revert = reverse("admin:clients_enrolment_simple_history", args=[trainee.pk, version.pk])
    assert admin_client.post(revert, {}).status_code == 403
    with scopes_disabled():
        assert Enrolment.objects.filter(pk=trainee.pk, state=State.TRAINING).exists()


def test_the_transition_log_cannot_be_changed_or_deleted_even_by_a_superuser(admin_client, trainee):
    with scopes_disabled():
        step = EnrolmentTransition.objects.create(
            enrolment=trainee,
            action=Action.START_TRAINING,
            to_state=State.TRAINING,
            by=trainee.client.created_by,
        )
    delete = reverse("admin:clients_enrolmenttransition_delete", args=[step.pk])
    change = reverse("admin:clients_enrolmenttransition_change", args=[step.pk])

    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.post(change, {"reason": "rewritten"}).status_code == 403
    changelist = admin_client.get(reverse("admin:clients_enrolmenttransition_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    add = reverse("admin:clients_enrolmenttransition_add")
    assert admin_client.get(add).status_code == 403
    with scopes_disabled():
        step.refresh_from_db()
        assert step.reason == ""


def run_action(admin_client, action, enrolments, **fields):
    return admin_client.post(
        reverse("admin:clients_enrolment_changelist"),
        {
            "action": action,
            helpers.ACTION_CHECKBOX_NAME: [e.pk for e in enrolments],
            **fields,
        },
    )


def test_withdrawing_from_the_admin_goes_through_the_service_and_its_log(admin_client, trainee):
    asked = run_action(admin_client, "withdraw", [trainee])
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    with scopes_disabled():
        trainee.refresh_from_db()
        assert trainee.state == State.TRAINING  # nothing happens before the reason is given

    done = run_action(admin_client, "withdraw", [trainee], apply="1", reason="نقل مکان")

    assert done.status_code == 302
    with scopes_disabled():
        trainee.refresh_from_db()
        assert trainee.state == State.WITHDRAWN
        assert trainee.closed_at is not None
        step = trainee.transitions.get()
        assert (step.action, step.from_state, step.by.username, step.reason) == (
            Action.WITHDRAW,
            State.TRAINING,
            "root",
            "نقل مکان",
        )


def test_marking_not_ready_from_the_admin_needs_a_reason_and_a_review_date(admin_client, trainee):
    review_on = timezone.localdate() + timedelta(days=40)

    refused = run_action(admin_client, "mark_not_ready", [trainee], apply="1", reason="بیماری")
    assert refused.status_code == 200  # the page again, asking for the review date
    done = run_action(
        admin_client,
        "mark_not_ready",
        [trainee],
        apply="1",
        reason="بیماری",
        review_on=review_on.isoformat(),
    )

    assert done.status_code == 302
    with scopes_disabled():
        trainee.refresh_from_db()
        assert (trainee.state, trainee.review_on) == (State.NOT_READY, review_on)
        assert trainee.transitions.get().action == Action.MARK_NOT_READY


def test_an_admin_action_the_table_refuses_changes_nothing_and_says_why(admin_client, centre):
    closed = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.WITHDRAWN)

    response = run_action(admin_client, "withdraw", [closed], apply="1", reason="دوباره")

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(str(closed.client) in message for message in messages)
    with scopes_disabled():
        assert not EnrolmentTransition.objects.filter(enrolment=closed).exists()
