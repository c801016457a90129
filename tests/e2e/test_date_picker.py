"""The Jalali date picker reads and writes the dates a Persian page shows in Persian
digits, and the server reads what it wrote."""

from datetime import date

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ..factories import CourseFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def course_page(live_server, page, staff, centre, password):
    course = CourseFactory(
        centre=centre, starts_on=date(2025, 9, 23), ends_on=date(2025, 12, 21), title="خیاطی"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "staff.a")
    page.fill("input[name=password]", password)
    page.locator("main form[method=post] button[type=submit]").click()
    page.goto(f"{live_server.url}/centres/courses/{course.pk}/edit/")
    return course


def test_the_picker_opens_on_the_prefilled_date_and_writes_persian_digits(
    page, screenshot, course_page
):
    starts_on = page.locator("input[name=starts_on]")
    expect(starts_on).to_have_value("۱۴۰۴/۰۷/۰۱")

    starts_on.click()
    picker = page.locator("jdp-container")
    expect(picker).to_be_visible()
    # The picker read the date: it opens on Mehr 1404 with the 1st selected.
    expect(picker.locator(".jdp-year select")).to_have_value("1404")
    expect(picker.locator(".jdp-month select")).to_have_value("7")
    expect(picker.locator(".jdp-day.selected")).to_have_text("۱")
    screenshot("date-picker-prefilled-fa")

    picker.locator(".jdp-day:not(.not-in-month)", has_text="۱۵").first.click()
    expect(picker).to_be_hidden()
    expect(starts_on).to_have_value("۱۴۰۴/۰۷/۱۵")

    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    with scopes_disabled():
        course_page.refresh_from_db()
    assert course_page.starts_on == date(2025, 10, 7)


def test_a_day_of_another_month_is_picked_read_again_and_saved(page, course_page):
    ends_on = page.locator("input[name=ends_on]")
    expect(ends_on).to_have_value("۱۴۰۴/۰۹/۳۰")
    ends_on.click()
    picker = page.locator("jdp-container")
    picker.locator(".jdp-month select").select_option("10")
    picker.locator(".jdp-day:not(.not-in-month)", has_text="۲۰").first.click()
    expect(picker).to_be_hidden()
    page.locator("h1").click()  # leaves the field
    expect(ends_on).to_have_value("۱۴۰۴/۱۰/۲۰")

    ends_on.click()  # the picker reads the date it wrote
    expect(picker.locator(".jdp-month select")).to_have_value("10")
    expect(picker.locator(".jdp-day.selected")).to_have_text("۲۰")

    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    with scopes_disabled():
        course_page.refresh_from_db()
    assert course_page.ends_on == date(2026, 1, 10)
