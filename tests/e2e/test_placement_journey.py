"""From an employer's opening to the first follow-up call, in Persian, as centre staff:
create the opening, see a trained client suggested, place them from the suggestion, see
their four follow-ups on Jalali dates, record the first call, and watch the navbar's
follow-up count go up with the placement and down with the call."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from centres.models import Trade
from clients.models import Enrolment, State
from hami.jalali import add_months, format_jalali
from hami.text import to_persian_digits
from placements.models import FollowUpStatus, Placement

from ..factories import (
    ClientFactory,
    CourseFactory,
    EmployerFactory,
    EnrolmentFactory,
    placed_with_first_follow_up_due,
)
from .conftest import ARTIFACTS, tab_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def persian(day) -> str:
    return to_persian_digits(format_jalali(day))


def submit(page):
    page.locator("main form[method=post] button[type=submit]").first.click()


def test_from_an_opening_to_the_first_follow_up_in_persian(live_server, browser, centre, staff):
    today = timezone.localdate()
    with scopes_disabled():
        trade = Trade.objects.get(name_en="Tailoring")  # reference data
    course = CourseFactory(centre=centre, trade=trade, title="خیاطی مقدماتی")
    enrolment = EnrolmentFactory(
        client=ClientFactory(centre=centre, first_name="نرگس", last_name="کاظمی"),
        state=State.TRAINED,
        course=course,
    )
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=timezone.now() - timedelta(days=200)
        )
    employer = EmployerFactory(centre=centre, name="کارگاه پوشاک نگین", city=centre.city)
    placed_with_first_follow_up_due(centre, by=staff)  # one call already due today
    page = tab_as(browser, live_server, staff)
    count = page.get_by_test_id("follow-up-count")

    # The opening.
    page.goto(f"{live_server.url}/placements/openings/new/")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(count).to_have_text("۱")
    page.select_option("select[name=employer]", str(employer.pk))
    page.select_option("select[name=trade]", str(trade.pk))
    page.fill("input[name=title]", "چرخ‌کار")
    page.fill("input[name=city]", centre.city)
    page.fill("input[name=places]", "۲")
    page.fill("input[name=wage_offered]", "۱۲٬۰۰۰٬۰۰۰")
    page.select_option("select[name=skill_level]", "simple")
    page.fill("input[name=open_until]", persian(today + timedelta(days=30)))
    submit(page)

    # The trained client is suggested, with the reason; placed from the suggestion.
    suggestion = page.locator(".suggestions li", has_text="نرگس کاظمی")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text(trade.name_fa)
    page.screenshot(path=ARTIFACTS / "placement-suggestions-fa.png", full_page=True)
    suggestion.locator("a[href*='/placements/new/']").click()
    expect(page.locator("input[name=job_title]")).to_have_value("چرخ‌کار")
    started = add_months(today, -1)  # a month ago: the first call is due today
    page.fill("input[name=starts_on]", persian(started))
    page.select_option("select[name=contract_type]", "fixed_term")
    submit(page)

    # Four follow-ups, on Jalali dates; the navbar now counts two calls due today.
    for months in (1, 3, 6, 12):
        expect(page.locator("main")).to_contain_text(persian(add_months(started, months)))
    expect(page.locator("main tbody tr")).to_have_count(4)
    expect(count).to_have_text("۲")
    page.screenshot(path=ARTIFACTS / "placement-follow-ups-fa.png", full_page=True)

    # Record the first call; the count drops back to one.
    page.locator("main tbody tr").first.locator("a[href*='/follow-ups/']").click()
    expect(page.locator("input[name=contacted_on]")).to_have_value(persian(today))  # filled in
    page.check("input[name=outcome][value=same_job]")
    submit(page)
    page.screenshot(path=ARTIFACTS / "placement-recorded-fa.png", full_page=True)
    expect(count).to_have_text("۱")
    with scopes_disabled():
        placement = Placement.objects.get(enrolment=enrolment)
        first = placement.follow_ups.get(months_after=1)
        assert first.status == FollowUpStatus.DONE
        assert placement.opening.filled == 1
