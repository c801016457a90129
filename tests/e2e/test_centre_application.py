"""A centre-opening application from the applicant's form to the new centre's manager, in
Persian: an NGO applies without an account (documents uploaded) and gets a tracking code;
the national office reviews it (checklist, site visit) and approves it, which makes the
centre and an invitation link; the link opens the manager's account form; the new manager
logs in and works as their centre's manager."""

import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.utils import timezone
from playwright.sync_api import expect

from centres.models import Province
from hami.jalali import format_jalali

from ..factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, make_national
from .conftest import ARTIFACTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def persian_tab(browser, live_server, user=None):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "fa", "url": live_server.url}]
    if user is not None:
        http = DjangoClient()
        http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": http.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        )
    context.add_cookies(cookies)
    return context.new_page()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def submit(page, name):
    page.get_by_role("button", name=name).click()


def test_an_ngo_applies_the_office_approves_and_the_new_manager_logs_in(
    live_server, browser, tmp_path
):
    national = make_national(username="e2e.national", first_name="نرگس", last_name="ستادی")
    markazi = Province.objects.get(code="00")
    files = {
        "licence": ("مجوز.pdf", PDF_BYTES),
        "lease": ("اجاره.jpg", JPEG_BYTES),
        "c1": ("مدرک-۱.pdf", PDF_BYTES),
        "c2": ("مدرک-۲.png", PNG_BYTES),
    }
    paths = {}
    for key, (name, content) in files.items():
        paths[key] = tmp_path / name
        paths[key].write_bytes(content)

    # The operator applies, without an account, from the login page's link.
    applicant = persian_tab(browser, live_server)
    applicant.goto(f"{live_server.url}/accounts/login/")
    applicant.get_by_role("link", name="درخواست تأسیس مرکز حمایت شغلی").click()
    expect(applicant.locator("html")).to_have_attribute("lang", "fa")
    applicant.fill("input[name=organisation_name]", "موسسه خیریه امید فردا")
    applicant.select_option("select[name=operator]", "ngo")
    applicant.fill("input[name=registration_number]", "۱۲۳۴۵")
    applicant.fill("input[name=contact_name]", "زهرا موسوی")
    applicant.fill("input[name=contact_mobile]", "۰۹۱۲۱۲۳۴۵۶۷")
    applicant.fill("input[name=contact_email]", "omid@example.org")
    applicant.select_option("select[name=province]", str(markazi.pk))
    applicant.fill("input[name=city]", "اراک")
    applicant.fill("textarea[name=address]", "خیابان امام، کوچه ۱۲، پلاک ۴")
    applicant.fill("input[name=planned_capacity]", "۲۴")
    applicant.locator("input[name=trades]").first.check()
    applicant.fill("textarea[name=staff_and_instructors]", "مدیر: زهرا موسوی\nمربی: فاطمه رضایی")
    applicant.locator("input[name=licence]").set_input_files(paths["licence"])
    applicant.locator("input[name=lease]").set_input_files(paths["lease"])
    applicant.locator("input[name=certificates]").set_input_files([paths["c1"], paths["c2"]])
    submit(applicant, "فرستادن درخواست")

    expect(applicant.locator(".alert-success")).to_contain_text("کد پیگیری شما")
    expect(applicant.locator("[data-status]")).to_have_text("ثبت شد و در انتظار بررسی است")
    code = applicant.locator("strong[dir=ltr]").inner_text()
    assert len(code) == 14  # XXXX-XXXX-XXXX
    shot(applicant, "centre-application-1-sent")

    # The national office reviews and approves.
    office = persian_tab(browser, live_server, national)
    office.goto(f"{live_server.url}/centres/applications/")
    office.get_by_role("link", name="موسسه خیریه امید فردا").click()
    expect(office.locator("main")).to_contain_text("مجوز.pdf")
    for label in (
        "مجوز فعالیت معتبر است",
        "اجاره‌نامه محل معتبر است",
        "مدارک مربیان معتبر است",
        "محل مناسب و دسترس‌پذیر است",
    ):
        office.get_by_label(label).check()
    today = format_jalali(timezone.localdate())
    office.fill("input[name=site_visit_on]", today)
    office.keyboard.press("Escape")
    office.fill("textarea[name=site_visit_notes]", "ساختمان همکف است و رمپ دارد.")
    submit(office, "ذخیره بررسی")
    expect(office.locator(".alert-success")).to_contain_text("بررسی ذخیره شد")
    expect(office.locator("[data-status]")).to_have_text("در حال بررسی")

    office.fill("input[name=opens_on]", today)
    office.keyboard.press("Escape")
    office.fill("textarea[name=reason]", "مدارک کامل است و محل مناسب است.")
    submit(office, "تأیید و ساختن مرکز")
    expect(office.locator(".alert-success").first).to_contain_text("درخواست تأیید شد")
    link = office.locator("#invitation-link").input_value()
    assert "/centres/invitation/?token=" in link
    shot(office, "centre-application-2-approved")

    # The applicant sees the decision with the tracking code.
    applicant.goto(f"{live_server.url}/centres/apply/track/")
    expect(applicant.locator("[data-status]")).to_have_text("تصویب‌شده")

    # The invitation opens the manager's account form; the token leaves the address.
    manager = persian_tab(browser, live_server)
    manager.goto(link)
    expect(manager).to_have_url(f"{live_server.url}/centres/invitation/")
    expect(manager.locator("main")).to_contain_text("مرکز حمایت شغلی موسسه خیریه امید فردا")
    manager.fill("input[name=username]", "manager.omid")
    manager.fill("input[name=first_name]", "زهرا")
    manager.fill("input[name=last_name]", "موسوی")
    manager.fill("input[name=password1]", "a Quiet garden 1403")
    manager.fill("input[name=password2]", "a Quiet garden 1403")
    submit(manager, "ساختن حساب")
    expect(manager.locator(".alert-success")).to_contain_text("حساب شما ساخته شد")

    # The new manager logs in and works as their centre's manager.
    manager.fill("input[name=username]", "manager.omid")
    manager.fill("input[name=password]", "a Quiet garden 1403")
    manager.locator("main form button[type=submit]").click()
    expect(manager.locator("nav")).to_contain_text("زهرا موسوی · مدیر مرکز")
    manager.get_by_role("link", name="مرکز", exact=True).click()
    expect(manager.locator("h1")).to_contain_text("مرکز حمایت شغلی موسسه خیریه امید فردا")
    expect(manager.locator("main")).to_contain_text("۲۴")
    shot(manager, "centre-application-3-manager")

    # The link works once.
    again = persian_tab(browser, live_server)
    again.goto(link)
    expect(again.locator(".alert-warning")).to_contain_text("این پیوند دعوت معتبر نیست")
    for tab in (applicant, office, manager, again):
        tab.context.close()
