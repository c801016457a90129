"""Double submits: two tabs, a retried submit or a second click save a step once. Each
enrolment form carries the version of the file it was shown for; once the file has moved
on, the form is refused with a clear message and nothing is saved."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from clients.models import Assessment, Enrolment, EnrolmentTransition, State
from clients.workflow import Action
from tests.factories import ClientFactory, CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

CHANGED = "This client's file changed while you were filling in the form"


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def text(page) -> str:
    return html.unescape(page.content.decode())


def shown_version(page) -> str:
    """The hidden version the page's form carries, as the browser would send it."""
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', page.content.decode())
    assert match, "the form carries the enrolment's version"
    return match.group(1)


def assessment_post(version):
    return {
        "assessed_on": timezone.localdate().isoformat(),
        "interested_in_work": "True",
        "work_capacity": "ready",
        "recommended_track": "wage_job",
        "version": version,
    }


def test_an_assessment_form_sent_twice_saves_one_assessment(english, login, staff, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.INTAKE)
    browser = login(staff)
    url = reverse("clients:assess", args=[enrolment.client_id])
    data = assessment_post(shown_version(browser.get(url)))

    first = browser.post(url, data)
    second = browser.post(url, data)  # a second tab, or the same form sent again

    assert first.status_code == 302
    assert second.status_code == 200
    assert CHANGED in text(second)
    assert "Assessed as ready" in text(second)  # what changed, and who did it
    with scopes_disabled():
        assert Assessment.objects.filter(client=enrolment.client).count() == 1
        assert list(
            EnrolmentTransition.objects.filter(enrolment=enrolment).values_list("action", flat=True)
        ) == [Action.ASSESS_READY]
    # The refused form carries the file's new version: sent again on purpose, it is saved.
    third = browser.post(url, assessment_post(shown_version(second)))
    assert third.status_code == 302
    with scopes_disabled():
        assert Assessment.objects.filter(client=enrolment.client).count() == 2


def test_an_action_form_shown_before_the_file_changed_is_refused(english, login, staff, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    browser = login(staff)
    withdraw_url = reverse("clients:withdraw", args=[enrolment.pk])
    version = shown_version(browser.get(withdraw_url))
    # Meanwhile, in another tab, the client starts training.
    browser.post(
        reverse("clients:start_training", args=[enrolment.pk]),
        {"course": CourseFactory(centre=centre).pk, "version": version},
    )

    refused = browser.post(withdraw_url, {"reason": "انصراف", "version": version})

    assert refused.status_code == 200
    assert CHANGED in text(refused)
    with scopes_disabled():
        enrolment.refresh_from_db()
        assert enrolment.state == State.TRAINING


def test_confirming_a_seat_twice_confirms_it_once(english, login, manager, centre):
    course = CourseFactory(centre=centre)
    waiting = EnrolmentFactory(
        client=ClientFactory(centre=centre),
        state=State.WAITING,
        course=course,
        seat_offered_at=timezone.now(),
    )
    browser = login(manager)
    seats = browser.get(reverse("clients:seats", args=[centre.pk]))
    confirm = reverse("clients:confirm_seat", args=[waiting.pk])

    first = browser.post(confirm, {"version": shown_version(seats)})
    second = browser.post(confirm, {"version": shown_version(seats)}, follow=True)

    assert first.status_code == 302
    assert CHANGED in text(second)
    with scopes_disabled():
        assert Enrolment.objects.get(pk=waiting.pk).state == State.TRAINING
        assert EnrolmentTransition.objects.filter(action=Action.CONFIRM_SEAT).count() == 1


def valid_fields(name, centre):
    today = timezone.localdate()
    return {
        "clients:start_training": lambda: {"course": CourseFactory(centre=centre).pk},
        "clients:finish_training": lambda: {
            "finished_on": today.isoformat(),
            "attendance_percent": "90",
        },
        "clients:withdraw": lambda: {"reason": "انصراف"},
        "clients:not_ready": lambda: {
            "reason": "بیماری",
            "review_on": (today + timedelta(days=30)).isoformat(),
        },
        "clients:skip_seat": lambda: {"reason": "در سفر"},
    }[name]()


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("clients:start_training", State.ASSESSED),
        ("clients:finish_training", State.TRAINING),
        ("clients:withdraw", State.ASSESSED),
        ("clients:not_ready", State.ASSESSED),
        ("clients:skip_seat", State.WAITING),
    ],
)
def test_every_enrolment_form_refuses_a_stale_version(name, state, english, login, manager, centre):
    offered = timezone.now() if state == State.WAITING else None
    enrolment = EnrolmentFactory(
        client=ClientFactory(centre=centre), state=state, seat_offered_at=offered
    )
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(version=7)
    browser = login(manager)
    url = reverse(name, args=[enrolment.pk])
    assert shown_version(browser.get(url)) == "7"

    refused = browser.post(url, {**valid_fields(name, centre), "version": "6"})

    assert refused.status_code == 200
    assert CHANGED in text(refused)
    with scopes_disabled():
        assert Enrolment.objects.get(pk=enrolment.pk).state == state
