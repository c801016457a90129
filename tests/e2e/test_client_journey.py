"""A centre worker's day in Persian: register a client with a Jalali birth date, assess,
start training, finish the course; the journey timeline shows every step."""

import pytest
from playwright.sync_api import expect

from ..factories import CourseFactory, TradeFactory, national_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def submit(page):
    page.locator("main form[method=post] button[type=submit]").first.click()


def test_register_assess_train_and_finish_in_persian(
    live_server, page, screenshot, staff, centre, password
):
    CourseFactory(centre=centre, trade=TradeFactory(code="tailoring-e2e"), title="خیاطی مقدماتی")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "staff.a")
    page.fill("input[name=password]", password)
    submit(page)
    expect(page.locator("html")).to_have_attribute("lang", "fa")

    page.goto(f"{live_server.url}/clients/new/")
    page.fill("input[name=id_number]", "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in national_code(5)))
    page.fill("input[name=welfare_file_number]", "۱۴۰۳-۷۷۱")
    page.fill("input[name=first_name]", "فاطمه")
    page.fill("input[name=last_name]", "محمدی")
    page.select_option("select[name=gender]", "female")
    page.fill("input[name=birth_date]", "1370/06/31")
    page.keyboard.press("Escape")
    page.fill("input[name=mobile]", "09121234567")
    page.select_option("select[name=category]", "female_head")
    page.select_option("select[name=education]", "diploma")
    page.check("input[name=consent]")
    screenshot("client-register-fa")
    submit(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("فاطمه محمدی")
    expect(page.locator("main")).to_contain_text("۱۳۷۰/۰۶/۳۱")

    page.locator("a[href$='/assess/']").click()
    page.check("input[name=interested_in_work][value=True]")
    page.check("input[name=work_capacity][value=ready]")
    page.select_option("select[name=recommended_track]", "wage_job")
    submit(page)

    page.locator("a[href$='/training/']").click()
    page.select_option("select[name=course]", label="خیاطی مقدماتی")
    submit(page)
    expect(page.locator(".alert-success")).to_be_visible()

    page.locator("a[href$='/finish/']").click()
    page.fill("input[name=attendance_percent]", "۹۲")
    page.keyboard.press("Escape")
    submit(page)
    expect(page.locator(".alert-success")).to_be_visible()

    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(5)  # registered, assessment, assessed, started, finished
    expect(page.locator("main")).to_contain_text("۹۲")
    screenshot("client-journey-fa")
