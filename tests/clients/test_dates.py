"""Dates on the client journey are bounded by what they mean: an assessment falls between
the client's registration and today, a review within two years, a training finishes
between its start and today. Absurd dates (year 1, year 9999) never reach the database,
where they used to break every Persian page that showed them."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Assessment, Client, Enrolment, State
from hami.jalali import add_months, format_jalali

from ..factories import ClientFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(staff):
    staff.language = "en"
    staff.save()
    return staff


@pytest.fixture
def at_intake(centre):
    client = ClientFactory(centre=centre)
    with scopes_disabled():
        Client.objects.filter(pk=client.pk).update(created_at=timezone.now() - timedelta(days=30))
    return EnrolmentFactory(client=client, state=State.INTAKE)


def assessment(**overrides):
    return {
        "assessed_on": timezone.localdate().isoformat(),
        "interested_in_work": "True",
        "work_capacity": "ready",
        "recommended_track": "wage_job",
        "referral": "",
        "review_on": "",
        "notes": "",
    } | overrides


def post_assessment(client, enrolment, **overrides):
    return client.post(
        reverse("clients:assess", args=[enrolment.client_id]), assessment(**overrides)
    )


def refusal_codes(response, field):
    assert response.status_code == 200
    return [error.code for error in response.context["form"].errors.as_data()[field]]


def no_assessment():
    with scopes_disabled():
        return not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("assessed_on", "code"),
    [
        ("0001-01-01", "min_date"),  # broke every centre user's worklist
        ("1999-01-01", "min_date"),
        ("9999-12-31", "max_date"),
    ],
)
def test_an_absurd_assessment_date_is_refused(login, english, at_intake, assessed_on, code):
    response = post_assessment(login(english), at_intake, assessed_on=assessed_on)
    assert refusal_codes(response, "assessed_on") == [code]
    assert no_assessment()


def test_an_assessment_cannot_come_before_the_clients_registration(login, english, at_intake):
    registered = timezone.localdate() - timedelta(days=30)
    client = login(english)
    response = post_assessment(client, at_intake, assessed_on=str(registered - timedelta(days=1)))
    assert refusal_codes(response, "assessed_on") == ["min_date"]
    assert registered.isoformat() in str(response.context["form"].errors["assessed_on"])
    assert no_assessment()
    response = post_assessment(client, at_intake, assessed_on=str(registered))
    assert response.status_code == 302


def test_an_assessment_cannot_be_in_the_future(login, english, at_intake):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post_assessment(login(english), at_intake, assessed_on=str(tomorrow))
    assert refusal_codes(response, "assessed_on") == ["max_date"]


def test_the_persian_picker_is_given_the_registration_day_and_today(login, staff, at_intake):
    response = login(staff).get(reverse("clients:assess", args=[at_intake.client_id]))
    field = response.context["form"]["assessed_on"]
    html = str(field)
    registered = timezone.localdate() - timedelta(days=30)
    assert f'data-jdp-min-date="{format_jalali(registered)}"' in html
    assert f'data-jdp-max-date="{format_jalali(timezone.localdate())}"' in html


@pytest.mark.parametrize("review_on", ["9999-12-31", "2099-01-01"])
def test_a_review_date_years_away_is_refused(login, english, at_intake, review_on):
    response = post_assessment(
        login(english), at_intake, interested_in_work="False", review_on=review_on
    )
    assert refusal_codes(response, "review_on") == ["max_date"]
    assert no_assessment()


def test_a_review_within_two_years_is_accepted(login, english, at_intake):
    review_on = add_months(timezone.localdate(), 24)
    response = post_assessment(
        login(english), at_intake, interested_in_work="False", review_on=str(review_on)
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Enrolment.objects.get().review_on == review_on


def test_the_not_ready_action_bounds_its_review_date_too(login, english, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    response = login(english).post(
        reverse("clients:not_ready", args=[enrolment.pk]),
        {"reason": "بیماری", "review_on": "9999-12-31"},
    )
    assert refusal_codes(response, "review_on") == ["max_date"]
    enrolment.refresh_from_db()
    assert enrolment.state == State.ASSESSED


def test_the_assessment_form_offers_no_blank_radio_button(login, staff, at_intake):
    response = login(staff).get(reverse("clients:assess", args=[at_intake.client_id]))
    html = response.content.decode()
    assert "---------" not in html
    form = response.context["form"]
    for name in ("interested_in_work", "work_capacity"):
        assert "" not in [value for value, _ in form.fields[name].choices], name
        assert "checked" not in str(form[name]), name


# Finishing training.


@pytest.fixture
def trainee(centre):
    return EnrolmentFactory(
        client=ClientFactory(centre=centre),
        state=State.TRAINING,
        training_started_on=timezone.localdate() - timedelta(days=60),
    )


@pytest.mark.parametrize(
    ("finished_on", "code"),
    [("0001-01-01", "min_date"), ("9999-12-31", "max_date"), ("2020-01-01", "min_date")],
)
def test_training_cannot_finish_before_it_started_or_in_the_future(
    login, english, trainee, finished_on, code
):
    response = login(english).post(
        reverse("clients:finish_training", args=[trainee.pk]),
        {"finished_on": finished_on, "attendance_percent": "90", "certificate_number": ""},
    )
    assert refusal_codes(response, "finished_on") == [code]
    trainee.refresh_from_db()
    assert trainee.state == State.TRAINING


def test_training_finished_on_its_first_day_is_accepted(login, english, trainee):
    response = login(english).post(
        reverse("clients:finish_training", args=[trainee.pk]),
        {
            "finished_on": str(trainee.training_started_on),
            "attendance_percent": "90",
            "certificate_number": "",
        },
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.training_finished_on == trainee.training_started_on


def test_the_database_refuses_an_absurd_birth_date(centre):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(centre=centre, birth_date=date(1, 1, 1))
