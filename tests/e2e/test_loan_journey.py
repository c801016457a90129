"""A loan from plan to repayment, in Persian, as four different people: centre staff write
a plan with three cost items (rows added without reload, the total running) and see its
sizing; they apply and submit; the centre manager recommends; one national-office user
approves, another records the disbursement; the Jalali schedule appears; staff record a
repayment."""

import pytest
from playwright.sync_api import expect

from centres.models import Membership

from ..factories import (
    ClientFactory,
    CreditLineFactory,
    LoanProductFactory,
    make_member,
    make_national,
)
from .conftest import tab_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def submit(page):
    page.locator("main form[method=post] button[type=submit]").first.click()


def fill_row(page, index, category, description, quantity, unit_cost):
    page.select_option(f"select[name=items-{index}-category]", category)
    page.fill(f"input[name=items-{index}-description]", description)
    page.fill(f"input[name=items-{index}-quantity]", quantity)
    page.fill(f"input[name=items-{index}-unit_cost]", unit_cost)


def test_a_loan_from_plan_to_repayment_in_persian(live_server, browser, centre, staff):
    manager = make_member(centre, role=Membership.Role.MANAGER, username="e2e.manager")
    approver = make_national(username="e2e.approver")
    disburser = make_national(username="e2e.disburser")
    client = ClientFactory(centre=centre, first_name="فاطمه", last_name="محمدی")
    LoanProductFactory(name="قرض‌الحسنه اشتغال")
    CreditLineFactory(reference="CL-E2E", bank="بانک توسعه تعاون")

    # Staff write the plan: three cost items, two rows added without a reload.
    page = tab_as(browser, live_server, staff)
    page.goto(f"{live_server.url}/loans/clients/{client.pk}/plan/")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    page.fill("input[name=title]", "کارگاه خیاطی خانگی")
    page.fill("textarea[name=activity]", "دوخت لباس برای فروشگاه محله")
    page.select_option("select[name=premises]", "home_based")
    page.fill("input[name=own_contribution]", "۳٬۰۰۰٬۰۰۰")
    page.fill("input[name=monthly_revenue]", "۲٬۵۰۰٬۰۰۰")
    page.fill("input[name=monthly_costs]", "۱٬۵۰۰٬۰۰۰")
    page.fill("input[name=jobs_created]", "۲")
    fill_row(page, 0, "equipment", "چرخ خیاطی صنعتی", "۲", "۵٬۰۰۰٬۰۰۰")
    add = page.get_by_role("button", name="افزودن قلم هزینه")
    add.click()
    expect(page.locator("input[name=items-1-description]")).to_be_visible()
    fill_row(page, 1, "raw_materials", "پارچه و نخ", "۱۰", "۴۰۰٬۰۰۰")
    add.click()
    expect(page.locator("input[name=items-2-description]")).to_be_visible()
    fill_row(page, 2, "working_capital", "سرمایه در گردش", "۱", "۱٬۰۰۰٬۰۰۰")
    expect(page.locator("#plan-total")).to_contain_text("۱۵٬۰۰۰٬۰۰۰ تومان")
    submit(page)

    # The sizing: the need (12,000,000 tomans) binds, under what the profit repays.
    expect(page.locator(".alert-success")).to_be_visible()
    sizing = page.locator("main .card", has_text="قرض‌الحسنه اشتغال")
    expect(sizing).to_contain_text("هزینه طرح منهای آورده متقاضی")
    expect(sizing).to_contain_text("۱۲٬۰۰۰٬۰۰۰ تومان")
    expect(sizing).to_contain_text("تعیین‌کننده")

    page.get_by_role("link", name="درخواست تسهیلات").click()
    page.select_option("select[name=product]", label="قرض‌الحسنه اشتغال")
    page.fill("input[name=term_months]", "۲۰")
    page.fill("input[name=amount]", "۱۰٬۰۰۰٬۰۰۰")
    submit(page)
    expect(page.locator(".alert-success")).to_be_visible()
    loan_url = page.url
    page.get_by_role("button", name="ارسال برای مدیر مرکز").click()
    expect(page.locator(".alert-success")).to_be_visible()

    # The centre manager recommends.
    manager_page = tab_as(browser, live_server, manager)
    manager_page.goto(loan_url)
    manager_page.get_by_role("link", name="پیشنهاد", exact=True).click()
    submit(manager_page)
    expect(manager_page.locator(".alert-success")).to_be_visible()

    # One national-office user approves against the credit line…
    approver_page = tab_as(browser, live_server, approver)
    approver_page.goto(loan_url)
    approver_page.get_by_role("link", name="تصویب").click()
    approver_page.select_option("select[name=credit_line]", index=1)
    submit(approver_page)
    expect(approver_page.locator(".alert-success")).to_be_visible()
    # …and may not record the disbursement: four eyes.
    expect(approver_page.get_by_role("link", name="ثبت پرداخت تسهیلات")).to_have_count(0)

    # Another records it, and the Jalali schedule appears.
    disburser_page = tab_as(browser, live_server, disburser)
    disburser_page.goto(loan_url)
    disburser_page.get_by_role("link", name="ثبت پرداخت تسهیلات").click()
    disburser_page.fill("input[name=bank_reference]", "۹۸۷۶۵")
    disburser_page.keyboard.press("Escape")
    submit(disburser_page)
    expect(disburser_page.locator(".alert-success")).to_be_visible()
    schedule = disburser_page.locator("main .card", has_text="جدول اقساط").locator("tbody tr")
    expect(schedule).to_have_count(20)
    expect(schedule.first).to_contain_text("۵۰۰٬۰۰۰ تومان")
    expect(schedule.first.locator("td").nth(1)).to_have_text(
        __import__("re").compile(r"^۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}$")
    )

    # Staff record a repayment.
    page.goto(loan_url)
    page.get_by_role("link", name="ثبت بازپرداخت").click()
    page.fill("input[name=amount]", "۵۰۰٬۰۰۰")
    page.keyboard.press("Escape")
    submit(page)
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#position")).to_contain_text("۹٬۵۰۰٬۰۰۰ تومان")
    page.screenshot(path="test-artifacts/loan-journey-fa.png", full_page=True)
    for tab in (page, manager_page, approver_page, disburser_page):
        tab.context.close()
