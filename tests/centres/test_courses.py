import importlib
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.forms import CourseForm
from centres.models import Course, Trade
from centres.scoping import scope_for
from clients.models import State
from hami.text import normalise_text

from ..factories import CourseFactory, EnrolmentFactory, TradeFactory

pytestmark = pytest.mark.django_db

ARABIC_LETTERS = {"\u064a", "\u0643", "\u0649"}  # Arabic yeh, kaf, alef maksura
ZWNJ = "\u200c"

trades_migration = importlib.import_module("centres.migrations.0005_trades")


@pytest.fixture(autouse=True)
def today():
    """The course dates written in these tests (autumn 1404) are recent: a course is
    entered at most five years after it started."""
    with time_machine.travel(datetime(2025, 10, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tehran"))):
        yield date(2025, 10, 1)


@pytest.fixture
def english(client):
    client.cookies["hami_language"] = "en"
    return client


@pytest.fixture
def tailoring(db):
    return Trade.objects.get(code="tailoring")


def course_data(trade, **changes):
    data = {
        "title": "خیاطی مقدماتی",
        "trade": trade.pk,
        "starts_on": "2025-09-23",
        "ends_on": "2025-12-21",
        "hours": "240",
        "instructor": "فاطمه رضایی",
        "awards_certificate": "on",
    }
    return data | changes


# The trade catalogue


def test_the_trade_catalogue_is_loaded():
    trades = {t.code: t for t in Trade.objects.all()}
    assert len(trades) >= 18
    assert trades["tailoring"].name_fa == "خیاطی"
    assert trades["computer-skills-icdl"].name_fa == f"مهارت{ZWNJ}های رایانه (ICDL)"
    assert trades["cooking-and-pastry"].name_fa == f"آشپزی و شیرینی{ZWNJ}پزی"
    assert trades["greenhouse-farming"].name_en == "Greenhouse farming"
    assert all(t.is_active for t in trades.values())


def test_trade_names_use_persian_letters_and_are_stored_normalised():
    for trade in Trade.objects.all():
        assert not ARABIC_LETTERS & set(trade.name_fa), trade.code
        assert normalise_text(trade.name_fa) == trade.name_fa, trade.code


def test_loading_the_catalogue_again_keeps_admin_edits_and_adds_nothing_twice():
    Trade.objects.filter(code="tailoring").update(name_en="Tailoring and sewing")
    schema_editor = SimpleNamespace(connection=connection)
    count = Trade.objects.count()
    trades_migration.load_trades(apps, schema_editor)
    assert Trade.objects.count() == count
    assert Trade.objects.get(code="tailoring").name_en == "Tailoring and sewing"


def test_unloading_the_catalogue_removes_its_trades_only():
    TradeFactory(code="solar-panel-installation")
    schema_editor = SimpleNamespace(connection=connection)
    trades_migration.unload_trades(apps, schema_editor)
    assert list(Trade.objects.values_list("code", flat=True)) == ["solar-panel-installation"]
    trades_migration.load_trades(apps, schema_editor)
    assert Trade.objects.filter(code="tailoring").exists()


# Adding and editing courses


def test_staff_add_a_course_at_their_centre_with_jalali_dates(login, staff, centre, tailoring):
    with scope_for(staff):
        data = course_data(tailoring, starts_on="1404/07/01", ends_on="۱۴۰۴/۰۹/۳۰")
        response = login(staff).post(reverse("centres:course_create"), data)
        assert response.status_code == 302
        assert response.url == reverse("centres:courses")
        course = Course.objects.get()
        assert course.centre == centre
        assert (course.starts_on, course.ends_on) == (date(2025, 9, 23), date(2025, 12, 21))
        assert (course.title, course.hours, course.awards_certificate) == (
            "خیاطی مقدماتی",
            240,
            True,
        )
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_staff_add_a_course_in_english_with_iso_dates(login, english, manager, centre, tailoring):
    with scope_for(manager):
        response = login(manager).post(
            reverse("centres:course_create"), course_data(tailoring, hours="۱۲۰"), follow=True
        )
        course = Course.objects.get()
        assert (course.centre, course.starts_on, course.hours) == (centre, date(2025, 9, 23), 120)
        assert "The course “خیاطی مقدماتی” was added." in response.content.decode()


def test_a_course_cannot_end_before_it_starts(login, english, staff, tailoring):
    with scopes_disabled():
        data = course_data(tailoring, starts_on="2025-09-23", ends_on="2025-09-22")
        response = login(staff).post(reverse("centres:course_create"), data)
        assert response.status_code == 200
        assert response.context["form"].has_error("ends_on", "ends_before_start")
        assert "The course cannot end before it starts." in response.content.decode()
        assert not Course.objects.exists()


def test_a_course_cannot_end_before_it_starts_in_jalali_either(login, staff, tailoring):
    with scopes_disabled():
        data = course_data(tailoring, starts_on="1404/07/10", ends_on="1404/07/09")
        response = login(staff).post(reverse("centres:course_create"), data)
        assert response.context["form"].has_error("ends_on", "ends_before_start")
        assert not Course.objects.exists()


@pytest.mark.parametrize("hours", ["0", "2001", "-5"])
def test_a_course_has_1_to_2000_hours(login, english, staff, tailoring, hours):
    with scopes_disabled():
        response = login(staff).post(
            reverse("centres:course_create"), course_data(tailoring, hours=hours)
        )
        assert response.context["form"].has_error("hours", "hours_range")
        assert "A course has from 1 to 2000 hours." in response.content.decode()
        assert not Course.objects.exists()


@pytest.mark.parametrize("title", ["", "   ", "\u200c\u200b"])
def test_a_course_needs_a_title(login, english, staff, tailoring, title):
    with scopes_disabled():
        response = login(staff).post(
            reverse("centres:course_create"), course_data(tailoring, title=title)
        )
        assert response.context["form"].has_error("title", "required")
        assert "Give the course a title." in response.content.decode()
        assert not Course.objects.exists()


def test_only_active_trades_are_offered(login, staff, tailoring):
    with scopes_disabled():
        tailoring.is_active = False
        tailoring.save()
        client = login(staff)
        assert (
            tailoring
            not in client.get(reverse("centres:course_create"))
            .context["form"]
            .fields["trade"]
            .queryset
        )
        response = client.post(reverse("centres:course_create"), course_data(tailoring))
        assert response.context["form"].has_error("trade")
        assert not Course.objects.exists()


def test_editing_keeps_a_course_in_a_since_retired_trade(login, staff, centre, tailoring):
    course = CourseFactory(centre=centre, trade=tailoring, title="خیاطی پیشرفته")
    tailoring.is_active = False
    tailoring.save()
    response = login(staff).post(
        reverse("centres:course_edit", args=[course.pk]),
        course_data(tailoring, title="خیاطی پیشرفته ۲", hours="300"),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.hours, course.trade) == ("خیاطی پیشرفته ۲", 300, tailoring)


def test_edit_form_shows_the_dates_in_jalali(login, staff, centre):
    course = CourseFactory(centre=centre, starts_on=date(2025, 9, 23))
    response = login(staff).get(reverse("centres:course_edit", args=[course.pk]))
    assert 'value="۱۴۰۴/۰۷/۰۱"' in response.content.decode()


def test_staff_cannot_edit_another_centres_course(login, staff, other_centre, tailoring):
    course = CourseFactory(centre=other_centre, title="دوره مرکز دیگر")
    client = login(staff)
    url = reverse("centres:course_edit", args=[course.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, course_data(tailoring)).status_code == 404
    course.refresh_from_db()
    assert course.title == "دوره مرکز دیگر"


def test_national_office_may_not_add_or_edit_courses(login, national, centre, tailoring):
    with scope_for(national):
        client = login(national)
        assert client.get(reverse("centres:course_create")).status_code == 403
        assert (
            client.post(reverse("centres:course_create"), course_data(tailoring)).status_code == 403
        )
        course = CourseFactory(centre=centre)
        assert client.get(reverse("centres:course_edit", args=[course.pk])).status_code == 403
        assert Course.objects.count() == 1


# The course list


def test_staff_see_only_their_centres_courses(login, staff, centre, other_centre):
    CourseFactory(centre=centre, title="دوره مرکز ما")
    CourseFactory(centre=other_centre, title="دوره مرکز دیگر")
    response = login(staff).get(reverse("centres:courses"))
    assert [c.title for c in response.context["courses"]] == ["دوره مرکز ما"]
    assert "دوره مرکز دیگر" not in response.content.decode()
    assert reverse("centres:course_create") in response.content.decode()


def test_staff_cannot_see_another_centres_courses_through_the_centre_filter(
    login, staff, centre, other_centre
):
    CourseFactory(centre=other_centre, title="دوره مرکز دیگر")
    response = login(staff).get(reverse("centres:courses"), {"centre": other_centre.pk})
    assert list(response.context["courses"]) == []


def test_national_office_sees_every_centres_courses_and_filters_by_centre(
    login, national, centre, other_centre
):
    CourseFactory(centre=centre, title="دوره مرکز الف")
    CourseFactory(centre=other_centre, title="دوره مرکز ب")
    client = login(national)
    response = client.get(reverse("centres:courses"))
    page = response.content.decode()
    assert {c.title for c in response.context["courses"]} == {"دوره مرکز الف", "دوره مرکز ب"}
    assert centre.name in page and other_centre.name in page  # the centre column
    assert reverse("centres:course_create") not in page
    response = client.get(reverse("centres:courses"), {"centre": other_centre.pk})
    assert [c.title for c in response.context["courses"]] == ["دوره مرکز ب"]


def test_the_list_filters_by_period(login, staff, centre):
    today = timezone.localdate()
    CourseFactory(centre=centre, title="جاری", starts_on=today, ends_on=today)
    CourseFactory(
        centre=centre, title="آینده", starts_on=today + timedelta(1), ends_on=today + timedelta(9)
    )
    CourseFactory(
        centre=centre, title="پایان", starts_on=today - timedelta(9), ends_on=today - timedelta(1)
    )
    client = login(staff)
    for period, title in [("current", "جاری"), ("upcoming", "آینده"), ("finished", "پایان")]:
        response = client.get(reverse("centres:courses"), {"period": period})
        assert [c.title for c in response.context["courses"]] == [title]


def test_the_list_shows_jalali_dates_persian_digits_and_trainees(login, staff, centre):
    course = CourseFactory(
        centre=centre, starts_on=date(2025, 9, 23), ends_on=date(2025, 12, 21), hours=240
    )
    for state in [State.TRAINING, State.TRAINING, State.TRAINED]:
        EnrolmentFactory(client__centre=centre, course=course, state=state)
    response = login(staff).get(reverse("centres:courses"))
    page = response.content.decode()
    assert "۱۴۰۴/۰۷/۰۱" in page and "۱۴۰۴/۰۹/۳۰" in page
    assert "۲۴۰" in page
    assert response.context["courses"][0].trainees == 2
    assert '<td class="text-end">۲</td>' in page


def test_the_list_shows_iso_dates_in_english(login, english, staff, centre):
    CourseFactory(centre=centre, starts_on=date(2025, 9, 23), ends_on=date(2025, 12, 21))
    page = login(staff).get(reverse("centres:courses")).content.decode()
    assert "2025-09-23" in page and "2025-12-21" in page


def test_the_list_takes_the_same_number_of_queries_for_many_courses(login, national, centre):
    client = login(national)
    CourseFactory(centre=centre)
    client.get(reverse("centres:courses"))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("centres:courses"))
    for _ in range(5):
        CourseFactory(centre=centre)
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("centres:courses"))
    assert len(six) == len(one)


# The centre page


def test_centre_page_lists_current_and_upcoming_courses(login, staff, centre, other_centre):
    today = timezone.localdate()
    CourseFactory(centre=centre, title="دوره جاری")
    CourseFactory(
        centre=centre,
        title="دوره آینده",
        starts_on=today + timedelta(30),
        ends_on=today + timedelta(90),
    )
    CourseFactory(
        centre=centre,
        title="دوره تمام‌شده",
        starts_on=today - timedelta(90),
        ends_on=today - timedelta(1),
    )
    CourseFactory(centre=other_centre, title="دوره مرکز دیگر")
    response = login(staff).get(reverse("centres:detail", args=[centre.pk]))
    assert [c.title for c in response.context["courses"]] == ["دوره جاری", "دوره آینده"]
    page = response.content.decode()
    assert reverse("centres:courses") in page
    assert "دوره تمام‌شده" not in page and "دوره مرکز دیگر" not in page


def test_national_office_goes_from_a_centre_to_its_courses(login, national, centre):
    page = login(national).get(reverse("centres:detail", args=[centre.pk])).content.decode()
    assert f"{reverse('centres:courses')}?centre={centre.pk}" in page


# Course dates a course can have, and a course entered twice.


def saved_course(centre, trade, **changes):
    """A course as `course_data` would have saved it."""
    fields = {
        "title": "خیاطی مقدماتی",
        "starts_on": date(2025, 9, 23),
        "ends_on": date(2025, 12, 21),
    }
    return CourseFactory(centre=centre, trade=trade, **(fields | changes))


def course_count():
    with scopes_disabled():
        return Course.objects.count()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field", "code"),
    [
        ("1404/07/01", "9999/12/31", "ends_on", "max_date"),  # broke the Persian course pages
        ("1404/07/01", "9999/07/01", "ends_on", "max_date"),  # a Gregorian year
        ("0001/01/01", "1404/07/01", "starts_on", "min_date"),
        ("1404/07/01", "1407/07/02", "ends_on", "too_long"),  # more than two years long
        ("1399/07/01", "1399/09/01", "starts_on", "min_date"),  # more than five years ago
        ("1406/07/10", "1406/09/01", "starts_on", "max_date"),  # more than two years ahead
    ],
)
def test_a_course_with_dates_it_cannot_have_is_refused(
    login, staff, tailoring, starts_on, ends_on, field, code
):
    with scopes_disabled():
        response = login(staff).post(
            reverse("centres:course_create"),
            course_data(tailoring, starts_on=starts_on, ends_on=ends_on),
        )
        assert response.status_code == 200
        assert [e.code for e in response.context["form"].errors.as_data()[field]] == [code]
        assert not Course.objects.exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [("9999-01-01", "9999-12-31"), ("0001-01-01", "0001-02-01"), ("2025-09-23", "9999-12-31")],
)
def test_a_course_with_absurd_iso_dates_is_refused_in_english(
    login, english, staff, tailoring, starts_on, ends_on
):
    with scopes_disabled():
        response = login(staff).post(
            reverse("centres:course_create"),
            course_data(tailoring, starts_on=starts_on, ends_on=ends_on),
        )
        assert response.status_code == 200
        assert not Course.objects.exists()


def test_a_course_lasting_two_years_and_one_from_five_years_ago_are_accepted(
    login, staff, tailoring
):
    client = login(staff)
    data = course_data(tailoring, starts_on="1404/07/09", ends_on="1406/07/09")
    assert client.post(reverse("centres:course_create"), data).status_code == 302
    data = course_data(tailoring, starts_on="1399/07/09", ends_on="1399/10/09", title="قدیمی")
    assert client.post(reverse("centres:course_create"), data).status_code == 302


def test_a_course_cannot_start_before_its_centre_opened(login, english, staff, centre, tailoring):
    with scopes_disabled():
        centre.opened_on = date(2025, 3, 21)
        centre.save()
        response = login(staff).post(
            reverse("centres:course_create"),
            course_data(tailoring, starts_on="2025-03-20", ends_on="2025-06-01"),
        )
        assert response.context["form"].errors["starts_on"] == [
            "The centre opened on 2025-03-21: a course cannot start before."
        ]
        assert not Course.objects.exists()


def test_an_old_course_stays_editable(login, staff, centre, tailoring):
    old = CourseFactory(
        centre=centre, trade=tailoring, starts_on=date(2019, 9, 23), ends_on=date(2019, 12, 21)
    )
    response = login(staff).post(
        reverse("centres:course_edit", args=[old.pk]),
        course_data(tailoring, starts_on="2019-09-23", ends_on="2019-12-21", hours="300"),
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.hours == 300


def test_the_date_limits_reach_the_picker(login, staff, tailoring):
    html = str(login(staff).get(reverse("centres:course_create")).context["form"]["starts_on"])
    assert 'data-jdp-min-date="1399/07/09"' in html  # five years before 1404/07/09
    assert 'data-jdp-max-date="1406/07/09"' in html  # two years after


@pytest.mark.parametrize("title", ["خیاطی مقدماتی", " خیاطي  مقدماتی ", "خیاطی​ مقدماتی"])
def test_the_same_course_submitted_twice_is_saved_once(login, staff, tailoring, title):
    client = login(staff)
    assert client.post(reverse("centres:course_create"), course_data(tailoring)).status_code == 302
    response = client.post(reverse("centres:course_create"), course_data(tailoring, title=title))
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "duplicate_course")
    assert course_count() == 1


def test_a_latin_title_differing_only_in_letter_case_is_the_same_course(login, staff, tailoring):
    client = login(staff)
    client.post(reverse("centres:course_create"), course_data(tailoring, title="ICDL level 1"))
    response = client.post(
        reverse("centres:course_create"), course_data(tailoring, title="icdl LEVEL 1")
    )
    assert response.context["form"].has_error("__all__", "duplicate_course")
    assert course_count() == 1


def test_the_duplicate_message_is_clear(login, english, staff, tailoring):
    client = login(staff)
    client.post(reverse("centres:course_create"), course_data(tailoring))
    html = client.post(reverse("centres:course_create"), course_data(tailoring)).content.decode()
    assert "This centre already has a course of this title starting on this day." in html


def test_the_same_title_another_day_or_at_another_centre_is_another_course(
    login, staff, other_centre, tailoring
):
    saved_course(other_centre, tailoring)
    client = login(staff)
    assert client.post(reverse("centres:course_create"), course_data(tailoring)).status_code == 302
    again = course_data(tailoring, starts_on="2025-09-24")
    assert client.post(reverse("centres:course_create"), again).status_code == 302


def test_editing_a_course_into_a_copy_of_another_is_refused(login, staff, centre, tailoring):
    saved_course(centre, tailoring)
    other = saved_course(centre, tailoring, title="خیاطی پیشرفته")
    response = login(staff).post(
        reverse("centres:course_edit", args=[other.pk]), course_data(tailoring)
    )
    assert response.context["form"].has_error("__all__", "duplicate_course")
    other.refresh_from_db()
    assert other.title == "خیاطی پیشرفته"


def test_two_submits_at_the_same_moment_save_one_course_and_answer_the_other(
    staff, centre, tailoring
):
    """Both pass the form's check before either is saved; the database lets one through
    and the other gets the form back with the message, not an error page."""
    with scope_for(staff):
        first = CourseForm(course_data(tailoring), instance=Course(centre=centre))
        second = CourseForm(course_data(tailoring), instance=Course(centre=centre))
        assert first.is_valid() and second.is_valid()
        assert first.save_unless_duplicate() is not None
        assert second.save_unless_duplicate() is None
        assert second.has_error("__all__", "duplicate_course")
        assert course_count() == 1


def test_the_database_refuses_a_second_identical_course(centre, tailoring):
    CourseFactory(centre=centre, trade=tailoring, title="خیاطی", starts_on=date(2025, 9, 23))
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(centre=centre, trade=tailoring, title="خیاطی", starts_on=date(2025, 9, 23))


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(date(1, 1, 1), date(2025, 1, 1)), (date(2025, 1, 1), date(9999, 12, 31))],
)
def test_the_database_refuses_absurd_course_dates(centre, tailoring, starts_on, ends_on):
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(centre=centre, trade=tailoring, starts_on=starts_on, ends_on=ends_on)


def test_the_database_refuses_a_course_without_a_title(centre, tailoring):
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory(centre=centre, trade=tailoring, title="​")
