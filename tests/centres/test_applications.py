"""Centre-opening applications: the public form and its defences (documents checked by
content, size and count; throttling per address; nothing kept until valid), the tracking
code, the national office's review and decisions, approval that makes exactly one centre
and an invitation for its first manager."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from centres import applications, documents, throttle
from centres.models import (
    ApplicationDocument,
    ApplicationState,
    Centre,
    CentreApplication,
    ManagerInvitation,
    Membership,
    Province,
    Trade,
)
from centres.roles import MANAGER, principal_for
from hami.errors import DomainError

from ..factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    CentreApplicationFactory,
)

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
ELF_PROGRAM = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200  # a Linux program
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows .exe


@pytest.fixture(autouse=True)
def _fresh_counters_and_storage():
    """Each test starts with no throttling counts and an empty document storage."""
    cache.clear()
    for name in stored_files():
        storages["applications"].delete(name)


@pytest.fixture
def english(client):
    client.cookies["hami_language"] = "en"
    return client


@pytest.fixture
def markazi():
    return Province.objects.get(code="00")


def stored_files() -> list[str]:
    storage = storages["applications"]
    try:
        return storage.listdir("")[1]
    except FileNotFoundError:
        return []


def pdf(name="licence.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def application_data(province, **changes):
    trades = list(Trade.objects.order_by("code").values_list("pk", flat=True)[:2])
    data = {
        "organisation_name": "موسسه خیریه امید فردا",
        "operator": "ngo",
        "registration_number": "۱۲۳۴۵",
        "contact_name": "زهرا موسوی",
        "contact_mobile": "۰۹۱۲۱۲۳۴۵۶۷",
        "contact_email": "omid@example.org",
        "province": province.pk,
        "city": "اراک",
        "address": "خیابان امام، کوچه ۱۲، پلاک ۴",
        "planned_capacity": "۳۰",
        "trades": trades,
        "staff_and_instructors": "مدیر: زهرا موسوی\nمربی خیاطی: فاطمه رضایی",
        "licence": pdf("licence.pdf"),
        "lease": SimpleUploadedFile("lease.jpg", JPEG_BYTES),
        "certificates": [pdf("c1.pdf"), SimpleUploadedFile("c2.png", PNG_BYTES)],
    }
    return data | changes


def apply(client, data, **extra):
    return client.post(reverse("centres:apply"), data, **extra)


def errors_of(response):
    form = response.context["form"]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def nothing_was_kept():
    with scopes_disabled():
        return (
            not CentreApplication.objects.exists()
            and not ApplicationDocument.objects.exists()
            and not stored_files()
        )


# -- applying ---------------------------------------------------------------------------------


def test_an_applicant_applies_without_an_account_and_gets_a_tracking_code(client, markazi):
    before = set(stored_files())
    response = apply(client, application_data(markazi))

    assert response.status_code == 302
    assert response.url == reverse("centres:track")
    application = CentreApplication.objects.get()
    assert application.state == ApplicationState.SUBMITTED
    assert application.organisation_name == "موسسه خیریه امید فردا"
    assert application.registration_number == "12345"
    assert application.contact_mobile == "09121234567"
    assert application.planned_capacity == 30
    assert application.trades.count() == 2
    assert len(application.tracking_code) == 12
    kinds = sorted(application.documents.values_list("kind", "content_type"))
    assert kinds == [
        ("certificate", "application/pdf"),
        ("certificate", "image/png"),
        ("lease", "image/jpeg"),
        ("licence", "application/pdf"),
    ]
    assert len(set(stored_files()) - before) == 4

    page = client.get(response.url)
    assert application.tracking_code_display in page.content.decode()
    assert "ثبت شد و در انتظار بررسی" in page.content.decode()  # the status, in Persian


def test_documents_are_stored_under_names_of_ours_with_the_type_their_content_has(client, markazi):
    """A PDF named like a program is a PDF: the content decides, never the name."""
    data = application_data(markazi, licence=pdf("../../etc/licence.exe"))
    assert apply(client, data).status_code == 302
    licence = ApplicationDocument.objects.get(kind="licence")
    assert licence.content_type == "application/pdf"
    assert licence.original_name == "licence.exe"  # shown to the reviewer, path dropped
    assert licence.file.name.endswith(".pdf")
    assert "licence" not in licence.file.name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("licence.pdf", ELF_PROGRAM),
        ("licence.pdf", WINDOWS_PROGRAM),
        ("licence.jpg", b"<html><script>alert(1)</script></html>"),
        ("licence.png", b"%PDF-1.4 but cut off before its end"),
    ],
    ids=["linux-program", "windows-program", "web-page", "truncated-pdf"],
)
def test_a_renamed_program_or_page_is_refused_and_nothing_is_kept(english, markazi, name, content):
    response = apply(english, application_data(markazi, licence=SimpleUploadedFile(name, content)))

    assert response.status_code == 200
    assert errors_of(response)["licence"] == [
        f"“{name}” is not a PDF, JPEG or PNG file (whatever its name says). Send a scan of "
        "the document as PDF, JPEG or PNG."
    ]
    assert nothing_was_kept()


def test_the_refusal_is_in_persian_on_a_persian_page(client, markazi):
    data = application_data(markazi, lease=SimpleUploadedFile("lease.pdf", ELF_PROGRAM))
    response = apply(client, data)
    assert errors_of(response)["lease"] == [
        "«lease.pdf» پرونده‌ای از نوع PDF، JPEG یا PNG نیست (هر نامی داشته باشد). اسکن سند را "
        "به صورت PDF، JPEG یا PNG بفرستید."
    ]


def test_an_oversized_file_is_refused(english, markazi):
    big = PDF_BYTES[:-6] + b"\x00" * documents.MAX_FILE_SIZE + b"%%EOF\n"
    response = apply(english, application_data(markazi, lease=pdf("lease.pdf", big)))

    assert response.status_code == 200
    assert errors_of(response)["lease"] == [
        "“lease.pdf” is 5.0\xa0MB; each file may be at most 5 MB. Send a smaller scan."
    ]
    assert nothing_was_kept()


def test_too_many_certificates_are_refused(english, markazi):
    certificates = [pdf(f"c{i}.pdf") for i in range(documents.MAX_CERTIFICATES + 1)]
    response = apply(english, application_data(markazi, certificates=certificates))

    assert response.status_code == 200
    assert errors_of(response)["certificates"] == ["Send at most 10 instructors' certificates."]
    assert nothing_was_kept()


def test_ten_certificates_are_accepted(client, markazi):
    certificates = [pdf(f"c{i}.pdf") for i in range(documents.MAX_CERTIFICATES)]
    assert apply(client, application_data(markazi, certificates=certificates)).status_code == 302
    assert ApplicationDocument.objects.filter(kind="certificate").count() == 10


def test_documents_too_large_together_are_refused(english, markazi, monkeypatch):
    monkeypatch.setattr(documents, "MAX_TOTAL_SIZE", 3 * len(PDF_BYTES))
    certificates = [pdf("c1.pdf"), pdf("c2.pdf")]
    response = apply(english, application_data(markazi, certificates=certificates))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()[0].startswith("The documents come to")
    assert nothing_was_kept()


def test_an_empty_file_is_refused(english, markazi):
    response = apply(english, application_data(markazi, licence=SimpleUploadedFile("l.pdf", b"")))
    assert errors_of(response)["licence"] == [
        "The licence file is empty. Choose the scanned document again."
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("planned_capacity", "61", "A centre trains from 1 to 60 people at the same time."),
        ("planned_capacity", "0", "A centre trains from 1 to 60 people at the same time."),
        ("contact_mobile", "0212345678", "A mobile number starts with 09, like 09121234567."),
        ("contact_email", "omid-at-example", "Enter an e-mail address like name@example.org."),
        ("operator", "governmental", "Choose whether the organisation is an NGO or private."),
        ("trades", [], "Choose at least one trade the centre would teach."),
        (
            "registration_number",
            "12 ; DROP",
            "A registration number has only digits and letters, with / or - between.",
        ),
        ("organisation_name", "\u200b\u200c ", "Enter the organisation's name."),
    ],
)
def test_every_field_is_checked_and_nothing_is_kept_until_all_are_valid(
    english, markazi, field, value, message
):
    response = apply(english, application_data(markazi, **{field: value}))
    assert response.status_code == 200
    assert errors_of(response)[field] == [message]
    assert nothing_was_kept()


def test_a_required_document_left_out_is_asked_for(english, markazi):
    data = application_data(markazi)
    del data["lease"]
    response = apply(english, data)
    assert errors_of(response)["lease"] == ["Attach a scan of the premises lease."]
    assert nothing_was_kept()


# -- throttling -------------------------------------------------------------------------------


def test_posts_past_the_hourly_limit_from_one_address_are_refused(client, markazi, settings):
    settings.HAMI_APPLY_POSTS_PER_HOUR = 3
    for _ in range(3):
        assert apply(client, application_data(markazi, planned_capacity="")).status_code == 200

    refused = apply(client, application_data(markazi))  # valid, but one too many

    assert refused.status_code == 429
    assert "در یک ساعت گذشته" in refused.content.decode()  # "…in the last hour"
    assert nothing_was_kept()
    # Another address is not affected.
    assert apply(client, application_data(markazi), REMOTE_ADDR="10.0.0.7").status_code == 302


def test_the_form_still_opens_for_a_throttled_address(client, markazi, settings):
    """Only posts are counted: reading the page costs nothing."""
    settings.HAMI_APPLY_POSTS_PER_HOUR = 1
    apply(client, application_data(markazi, planned_capacity=""))
    assert apply(client, application_data(markazi)).status_code == 429
    assert client.get(reverse("centres:apply")).status_code == 200


def test_tracking_code_guesses_are_throttled(client, settings):
    settings.HAMI_TRACK_POSTS_PER_HOUR = 5
    application = CentreApplicationFactory()
    for n in range(5):
        response = client.post(reverse("centres:track"), {"code": f"AAAA-BBBB-{n:04d}"})
        assert response.status_code == 200
    response = client.post(reverse("centres:track"), {"code": application.tracking_code})
    assert response.status_code == 429
    assert application.organisation_name not in response.content.decode()


def test_the_count_starts_again_the_next_hour(rf):
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    hour = 1_700_000_000 // throttle.WINDOW_SECONDS * throttle.WINDOW_SECONDS
    assert [throttle.allow(request, "apply", limit=2, now=hour + s) for s in (0, 1, 2)] == [
        True,
        True,
        False,
    ]
    assert throttle.allow(request, "apply", limit=2, now=hour + throttle.WINDOW_SECONDS)


# -- tracking ---------------------------------------------------------------------------------


def test_the_tracking_code_shows_only_its_own_application(client):
    mine = CentreApplicationFactory(organisation_name="موسسه نیکوکاری مهر")
    other = CentreApplicationFactory(organisation_name="شرکت تعاونی دیگر")

    response = client.post(reverse("centres:track"), {"code": mine.tracking_code})
    assert response.status_code == 302
    page = client.get(reverse("centres:track")).content.decode()

    assert "موسسه نیکوکاری مهر" in page
    assert "شرکت تعاونی دیگر" not in page
    assert other.tracking_code_display not in page


def test_a_tracking_code_is_read_as_typed_with_persian_digits_dashes_and_small_letters(client):
    application = CentreApplicationFactory(tracking_code="ABCDEFGH2345")
    typed = "abcd-efgh-۲۳۴۵ "
    assert client.post(reverse("centres:track"), {"code": typed}).status_code == 302
    assert application.organisation_name in client.get(reverse("centres:track")).content.decode()


def test_a_wrong_code_shows_no_application(english):
    CentreApplicationFactory(tracking_code="ABCDEFGH2345", organisation_name="Mehr")
    response = english.post(reverse("centres:track"), {"code": "ABCDEFGH2346"})
    assert response.status_code == 200
    assert errors_of(response)["code"] == [
        "No application has this tracking code. Check it and type it again."
    ]
    assert "Mehr" not in response.content.decode()


def test_a_visitor_without_the_code_sees_no_application(client):
    """The code is remembered by the session of whoever typed it, and nobody else's."""
    application = CentreApplicationFactory()
    client.post(reverse("centres:track"), {"code": application.tracking_code})
    stranger = type(client)()
    page = stranger.get(reverse("centres:track")).content.decode()
    assert application.organisation_name not in page
    assert stranger.get(reverse("centres:revise")).status_code == 200  # the code form only


# -- review and decisions ---------------------------------------------------------------------


def reviewed(**fields):
    return CentreApplicationFactory(
        state=ApplicationState.UNDER_REVIEW,
        licence_checked=True,
        lease_checked=True,
        certificates_checked=True,
        premises_suitable=True,
        site_visit_on=timezone.localdate(),
        **fields,
    )


def test_the_first_review_moves_the_application_under_review(national):
    application = CentreApplicationFactory()
    applications.record_review(
        application=application,
        by=national,
        checklist={"licence_checked": True, "lease_checked": False},
        site_visit_on=date(2025, 1, 5),
        site_visit_notes="ساختمان همکف، رمپ دارد.",
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.UNDER_REVIEW
    assert application.licence_checked and not application.lease_checked
    assert list(application.events.values_list("action", flat=True)) == ["review"]


def test_approval_needs_the_whole_checklist_and_a_site_visit(national):
    application = CentreApplicationFactory(licence_checked=True)
    with pytest.raises(DomainError, match="checklist"), translation.override("en"):
        applications.approve(
            application=application,
            by=national,
            centre_name="مرکز امید",
            opens_on=timezone.localdate(),
            reason="ok",
        )
    assert not Centre.objects.filter(code__startswith="APP-").exists()


def test_approval_makes_the_centre_inactive_until_it_opens_with_the_applied_capacity(national):
    application = reviewed(planned_capacity=24)
    at = datetime(2025, 10, 1, 9, 0, tzinfo=TEHRAN)
    application, token = applications.approve(
        application=application,
        by=national,
        centre_name="مرکز حمایت شغلی امید",
        opens_on=date(2025, 11, 1),
        reason="مدارک کامل و محل مناسب است.",
        at=at,
    )
    centre = application.centre
    assert application.state == ApplicationState.APPROVED
    assert centre.name == "مرکز حمایت شغلی امید"
    assert centre.training_capacity == 24
    assert centre.province == application.province and centre.city == "اراک"
    assert centre.operator == "ngo"
    assert centre.opened_on == date(2025, 11, 1)
    assert centre.is_active is False
    invitation = ManagerInvitation.objects.get(centre=centre)
    assert invitation.email == "omid@example.org"
    assert invitation.expires_at == at + timedelta(days=7)
    assert token not in invitation.token_digest  # only its digest is kept

    # The daily task opens it on its day, once.
    assert applications.open_due_centres(on=date(2025, 10, 31)) == []
    assert applications.open_due_centres(on=date(2025, 11, 1)) == [centre]
    assert applications.open_due_centres(on=date(2025, 11, 2)) == []
    centre.refresh_from_db()
    assert centre.is_active is True


def test_approval_opening_today_makes_an_active_centre(national):
    application, _token = applications.approve(
        application=reviewed(),
        by=national,
        centre_name="مرکز امید",
        opens_on=timezone.localdate(),
        reason="ok",
    )
    assert application.centre.is_active is True


def test_approving_twice_makes_exactly_one_centre(national):
    application = reviewed()
    applications.approve(
        application=application,
        by=national,
        centre_name="مرکز امید",
        opens_on=date.today(),
        reason="ok",
    )
    with pytest.raises(DomainError, match="already decided"), translation.override("en"):
        applications.approve(
            application=application,
            by=national,
            centre_name="مرکز امید دوم",
            opens_on=date.today(),
            reason="ok",
        )
    assert Centre.objects.filter(application__isnull=False).count() == 1
    assert ManagerInvitation.objects.count() == 1


def test_approve_clicked_twice_in_the_browser_makes_one_centre_and_says_so(login, national):
    application = reviewed()
    client = login(national)
    url = reverse("centres:application_approve", kwargs={"pk": application.pk})
    opens_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = {"centre_name": "مرکز امید", "opens_on": opens_on, "reason": "کامل است"}
    client.cookies["hami_language"] = "en"
    first = client.post(url, data)
    second = client.post(url, data)

    assert first.status_code == 302
    assert second.status_code == 302
    page = client.get(second.url).content.decode()
    assert "This application was already decided (Approved): nothing was changed." in page
    assert Centre.objects.filter(application__isnull=False).count() == 1


def test_the_database_holds_one_centre_per_application(national):
    from django.db import IntegrityError, transaction

    first, _ = applications.approve(
        application=reviewed(), by=national, centre_name="الف", opens_on=date.today(), reason="ok"
    )
    second = reviewed()
    with pytest.raises(IntegrityError), transaction.atomic():
        CentreApplication.objects.filter(pk=second.pk).update(
            state="approved", centre=first.centre, opens_on=date.today()
        )


def test_asking_for_changes_reopens_the_application_to_its_applicant(
    client, national, django_capture_on_commit_callbacks
):
    application = CentreApplicationFactory(planned_capacity=30)
    with django_capture_on_commit_callbacks(execute=True):
        applications.return_application(
            application=application,
            by=national,
            action=applications.Action.ASK_FOR_CHANGES,
            reason="اجاره‌نامه منقضی شده است؛ اجاره‌نامه تازه را بفرستید.",
        )
    assert mail.outbox and "اجاره‌نامه منقضی شده است" in mail.outbox[0].body

    client.post(reverse("centres:track"), {"code": application.tracking_code})
    page = client.get(reverse("centres:track")).content.decode()
    assert "اجاره‌نامه منقضی شده است" in page
    assert reverse("centres:revise") in page

    old_lease = application.documents.get(kind="lease")
    form = client.get(reverse("centres:revise"))
    assert form.status_code == 200
    data = application_data(application.province, planned_capacity="40")
    data.pop("licence")
    data.pop("certificates")
    data["lease"] = pdf("new-lease.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("centres:revise"), data)

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.planned_capacity == 40
    leases = list(application.documents.filter(kind="lease"))
    assert [d.original_name for d in leases] == ["new-lease.pdf"]
    assert old_lease.file.name not in stored_files()
    assert application.documents.filter(kind="licence").count() == 1  # kept
    assert list(application.events.values_list("action", flat=True)) == [
        "ask_for_changes",
        "resubmit",
    ]


def test_a_rejected_application_cannot_be_changed(client, national):
    application = CentreApplicationFactory()
    applications.return_application(
        application=application, by=national, action=applications.Action.REJECT, reason="خیر"
    )
    client.post(reverse("centres:track"), {"code": application.tracking_code})
    response = client.post(reverse("centres:revise"), application_data(application.province))
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED
    assert application.organisation_name != "موسسه خیریه امید فردا"


def test_documents_are_served_to_the_national_office_as_attachments(login, national):
    application = CentreApplicationFactory()
    document = application.documents.get(kind="licence")
    response = login(national).get(
        reverse("centres:application_document", kwargs={"pk": document.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_documents_have_no_public_address(client):
    """No URL of the site serves the storage's folder: the file is reached only through
    the national office's view."""
    application = CentreApplicationFactory()
    name = application.documents.first().file.name
    assert client.get(f"/media/{name}").status_code in (302, 404)
    assert client.get(f"/static/{name}").status_code in (302, 404)


# -- the first manager's invitation ---------------------------------------------------------


def approved_with_token(national, **changes):
    application, token = applications.approve(
        application=reviewed(**changes),
        by=national,
        centre_name="مرکز امید",
        opens_on=timezone.localdate(),
        reason="ok",
    )
    return application, token


def accept(client, token, **changes):
    client.get(reverse("centres:invitation"), {"token": token})
    data = {
        "username": "manager.omid",
        "first_name": "زهرا",
        "last_name": "موسوی",
        "password1": "a Quiet garden 1403",
        "password2": "a Quiet garden 1403",
    } | changes
    return client.post(reverse("centres:invitation"), data)


def test_the_invitation_makes_the_centres_manager_once(client, national):
    application, token = approved_with_token(national)
    response = client.get(reverse("centres:invitation"), {"token": token})
    assert response.status_code == 302
    assert response.url == reverse("centres:invitation")  # the token leaves the address

    response = accept(client, token)

    assert response.status_code == 302 and response.url == reverse("login")
    user = get_user_model().objects.get(username="manager.omid")
    assert user.check_password("a Quiet garden 1403")
    membership = Membership.objects.get(user=user)
    assert membership.centre == application.centre and membership.role == MANAGER
    assert MANAGER in principal_for(user).roles

    again = accept(type(client)(), token, username="someone.else")
    assert again.status_code == 200
    assert again.context["invitation"] is None
    assert not get_user_model().objects.filter(username="someone.else").exists()


def test_an_expired_invitation_does_not_open(client, national):
    application, token = approved_with_token(national)
    now = timezone.now()
    ManagerInvitation.objects.update(
        created_at=now - timedelta(days=8), expires_at=now - timedelta(minutes=1)
    )
    response = accept(client, token)
    assert response.status_code == 200 and response.context["invitation"] is None
    assert not Membership.objects.filter(centre=application.centre).exists()


def test_a_new_invitation_replaces_the_old_one(login, national):
    application, old_token = approved_with_token(national)
    client = login(national)
    client.post(reverse("centres:application_invite", kwargs={"pk": application.pk}))
    assert ManagerInvitation.objects.count() == 1
    assert applications.open_invitation(old_token) is None


def test_a_weak_password_is_refused_with_our_words(client, national):
    _application, token = approved_with_token(national)
    client.cookies["hami_language"] = "en"
    response = accept(client, token, password1="12345678", password2="12345678")
    assert response.status_code == 200
    assert "This password is only digits: add some letters." in errors_of(response)["password2"]


# -- the network page ---------------------------------------------------------------------


def test_the_network_page_shows_seats_per_100000_people_and_applications_by_status(
    login, national, markazi
):
    from ..factories import CentreFactory

    markazi.population = 1_200_000
    markazi.save()
    CentreFactory(code="MRK-01", province=markazi, training_capacity=60)
    CentreFactory(code="MRK-02", province=markazi, training_capacity=30)
    CentreFactory(code="MRK-03", province=markazi, training_capacity=60, is_active=False)
    CentreApplicationFactory(province=markazi)
    CentreApplicationFactory(province=markazi, state=ApplicationState.REJECTED)

    login(national).cookies["hami_language"] = "en"
    response = login(national).get(reverse("centres:network"))

    row = next(r for r in response.context["network"]["rows"] if r.province == markazi)
    assert (row.centres, row.seats, str(row.seats_per_100k)) == (2, 90, "7.5")
    assert row.applications == {"submitted": 1, "rejected": 1}
    assert row.by_state == [1, 0, 0, 0, 1]
    assert "1,200,000" in response.content.decode()


def test_approval_e_mails_the_invitation_link_in_the_applicants_language(
    national, django_capture_on_commit_callbacks, settings
):
    settings.HAMI_SITE_URL = "https://hami.example.org"
    application = reviewed(language="en", contact_email="omid@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _application, token = applications.approve(
            application=application,
            by=national,
            centre_name="مرکز امید",
            opens_on=timezone.localdate(),
            reason="ok",
        )
    (message,) = mail.outbox
    assert message.to == ["omid@example.org"]
    assert message.subject == "Your centre was approved: create the manager's account"
    assert f"https://hami.example.org/centres/invitation/?token={token}" in message.body
