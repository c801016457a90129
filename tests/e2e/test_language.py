import datetime

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_staff_see_persian_rtl_then_switch_to_english_and_it_sticks(
    live_server, page, screenshot, staff, centre, password
):
    centre.opened_on = datetime.date(2024, 8, 3)
    centre.save()

    page.goto(f"{live_server.url}/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    page.get_by_label("نام کاربری").fill("staff.a")
    page.get_by_label("گذرواژه").fill(password)
    screenshot("login-fa")
    page.get_by_role("button", name="ورود").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(centre.name)  # centre home
    page.get_by_role("link", name="مرکز", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(centre.name)
    expect(page.locator("main")).to_contain_text("۱۴۰۳/۰۵/۱۳")  # Jalali, Persian digits
    expect(page.locator("main")).to_contain_text("۶۰")
    screenshot("centre-fa")

    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("dir", "ltr")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("2024-08-03")
    screenshot("centre-en")

    page.get_by_role("link", name="Hami", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text(centre.name)
    expect(page.locator("main")).to_contain_text("Training seats")
