"""Importing an existing client list from Excel: check every row, save all or nothing."""

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.test import TestCase
from django.urls import reverse
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients.import_template import COLUMNS
from clients.imports import MAX_FILE_SIZE
from clients.models import Client, Enrolment, State
from hami.text import to_persian_digits
from tests.factories import ClientFactory, national_code

URL = reverse("clients:import")
HEADER = [
    "id_type",
    "id_number",
    "welfare_file_number",
    "first_name",
    "last_name",
    "father_name",
    "gender",
    "birth_date",
    "mobile",
    "province",
    "city",
    "address",
    "category",
    "education",
    "consent",
]


def client_row(n, **changes):
    row = {
        "id_type": "national_code",
        "id_number": national_code(n),
        "welfare_file_number": f"IMP-{n:05d}",
        "first_name": "زهرا",
        "last_name": f"احمدی {n}",
        "father_name": "علی",
        "gender": "female",
        "birth_date": "1370/01/01",
        "mobile": "09121234567",
        "province": "تهران",
        "city": "تهران",
        "address": "",
        "category": "female_head",
        "education": "diploma",
        "consent": "yes",
    }
    row.update(changes)
    return row


def xlsx(rows, header=HEADER, name="clients.xlsx"):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in HEADER] if isinstance(row, dict) else row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    """Uploaded files wait in a storage of their own, here a folder of the test's."""
    folder = tmp_path / "imports"
    imports = settings.STORAGES["imports"]
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {**imports, "OPTIONS": {**imports["OPTIONS"], "location": str(folder)}},
    }
    return folder


@pytest.fixture(autouse=True)
def _tasks_run_inline():
    """The confirm step queues a Celery task: here it runs inline, as
    CELERY_TASK_ALWAYS_EAGER makes it (a real worker runs it in tests/integration)."""
    from config.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


@pytest.fixture
def staff_client(login, staff):
    staff.language = "en"
    staff.save()
    return login(staff)


def kept_files():
    from django.core.files.storage import storages

    location = Path(storages["imports"].location)
    return list(location.glob("*.xlsx")) if location.exists() else []


def upload(http, upload_file):
    return http.post(URL, {"step": "upload", "file": upload_file})


def confirm(http, response, token=None):
    """Confirm the preview; the task is queued when the request's transaction commits
    (in a test, when this block ends), and runs inline."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http.post(URL, {"step": "confirm", "token": token or response.context["token"]})


def page(response):
    return response.content.decode()


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_upload_page_lists_the_columns_and_links_the_template(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    for column in COLUMNS:
        assert f"<code>{column.key}</code>" in page(response)
    assert f"{URL}?template=1" in page(response)
    assert "<script>" not in page(response)
    assert "style=" not in page(response)


def test_template_download_has_the_header_row(staff_client):
    response = staff_client.get(URL, {"template": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == HEADER


def test_clean_file_imports_every_row_with_an_intake_enrolment(staff_client, staff, centre):
    with scope_for(staff):
        preview = upload(staff_client, xlsx([client_row(1), client_row(2), client_row(3)]))
        assert preview.status_code == 200
        assert "Confirm: import 3 clients" in page(preview)
        assert not Client.objects.exists(), "the preview saves nothing"

        response = confirm(staff_client, preview)

        assert response.status_code == 302
        assert re.fullmatch(r"/clients/import/\d+/", response.url), "the import's own page"
        result = staff_client.get(response.url)
        assert "3 clients were imported at مرکز حمایت شغلی الف" in page(result)
        assert f'href="{reverse("clients:list")}"' in page(result)
        assert "hx-trigger" not in page(result), "a finished import is not polled"
        clients = Client.objects.filter(centre=centre)
        assert clients.count() == 3
        assert Enrolment.objects.filter(client__in=clients, state=State.INTAKE).count() == 3
        assert set(clients.values_list("created_by", flat=True)) == {staff.pk}
        assert not kept_files(), "the kept file is deleted"


def test_one_bad_row_imports_nothing_and_names_the_row_and_the_reason(staff_client):
    with scopes_disabled():
        bad = client_row(2, id_number="1234567890")
        response = upload(staff_client, xlsx([client_row(1), bad, client_row(3)]))

        assert response.status_code == 200
        assert response.context["token"] is None
        assert "Confirm" not in page(response)
        problems = {row.number: row.problems for row in response.context["sheet"].bad_rows}
        assert list(problems) == [3], "the header is row 1, so the second client is row 3"
        assert "its last digit does not match" in problems[3][0].message
        assert problems[3][0].column == "id_number"
        assert "Row 3" in page(response)
        assert "text-danger" in page(response)
        assert not Client.objects.exists()


def test_a_client_twice_in_the_file_is_refused(staff_client):
    rows = [client_row(1), client_row(2), client_row(3, id_number=national_code(1))]
    response = upload(staff_client, xlsx(rows))

    bad = {row.number: row.problems for row in response.context["sheet"].bad_rows}
    assert set(bad) == {2, 4}
    assert "in the file more than once: rows 2, 4" in bad[4][0].message


def test_a_welfare_file_number_twice_in_the_file_is_refused(staff_client):
    rows = [client_row(1), client_row(2, welfare_file_number="IMP-00001")]
    response = upload(staff_client, xlsx(rows))

    bad = response.context["sheet"].bad_rows
    assert [row.number for row in bad] == [2, 3]
    assert "welfare file number is in the file more than once" in bad[0].problems[0].message


def test_a_client_already_registered_is_refused(staff_client, centre):
    with scopes_disabled():
        ClientFactory(
            centre=centre, id_number=national_code(2), first_name="مریم", last_name="کاظمی"
        )
        response = upload(staff_client, xlsx([client_row(1), client_row(2)]))

        (bad,) = response.context["sheet"].bad_rows
        assert bad.number == 3
        assert "already registered for مریم کاظمی" in bad.problems[0].message
        assert Client.objects.count() == 1


def test_persian_digits_labels_and_excel_cells_are_accepted(staff_client, centre):
    with scopes_disabled():
        rows = [
            client_row(
                1,
                id_number=to_persian_digits(national_code(1)),
                birth_date="۱۳۷۰/۰۱/۰۱",
                gender="زن",
                category="زن سرپرست خانوار",
                education="دیپلم",
                mobile="۰۹۱۲۱۲۳۴۵۶۷",
                consent="بله",
                province="Tehran",
            ),
            # Excel cells: a real date (Gregorian), numbers that lost their leading zeros.
            client_row(
                2,
                id_type="",
                id_number=int(national_code(1_000_003)),
                birth_date=datetime(1995, 6, 1),
                mobile=9121234567,
                province=23,
                consent=True,
            ),
        ]
        persian_header = ["نوع مدرک", "کد ملی", *HEADER[2:]]
        preview = upload(staff_client, xlsx(rows, header=persian_header))
        assert preview.context["sheet"].is_clean, [
            (row.number, row.problems) for row in preview.context["sheet"].bad_rows
        ]

        confirm(staff_client, preview)

        first = Client.objects.get(id_number=national_code(1))
        assert first.birth_date == date(1991, 3, 21)
        assert first.mobile == "09121234567"
        assert first.category == "female_head"
        second = Client.objects.get(welfare_file_number="IMP-00002")
        assert second.birth_date == date(1995, 6, 1)
        assert second.id_number == national_code(1_000_003).zfill(10)
        assert second.province.code == "23"


def test_empty_rows_are_skipped_and_rows_keep_their_excel_numbers(staff_client):
    rows = [client_row(1), [None] * len(HEADER), client_row(2, gender="unknown")]
    response = upload(staff_client, xlsx(rows))

    sheet = response.context["sheet"]
    assert [row.number for row in sheet.rows] == [2, 4]
    assert "“unknown” is not one of the values" in sheet.bad_rows[0].problems[0].message


def test_missing_consent_is_refused(staff_client):
    response = upload(staff_client, xlsx([client_row(1, consent="no")]))

    (bad,) = response.context["sheet"].bad_rows
    assert bad.problems[0].column == "consent"
    assert "consent is not recorded" in bad.problems[0].message


def test_the_preview_speaks_persian_by_default(login, staff):
    response = upload(login(staff), xlsx([client_row(1, id_number="123")]))

    assert '<html lang="fa" dir="rtl">' in page(response)
    assert re.search(r'<a href="#row-2">[^<]*۲[^<]*</a>', page(response)), "Persian digits"
    assert response.context["sheet"].bad_rows[0].number == 2


def test_every_header_name_means_one_column():
    seen = {}
    for column in COLUMNS:
        for name in column.header_names():
            assert seen.setdefault(name, column.key) == column.key, name


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER[:-1], "missing these required columns: consent"),
        ([*HEADER, "favourite_colour"], "columns the import does not know: “favourite_colour”"),
        ([*HEADER, "first name"], "names these columns twice: “first name”"),
    ],
)
def test_a_wrong_header_is_refused_naming_the_columns(staff_client, header, expected):
    response = upload(staff_client, xlsx([], header=header))

    assert response.status_code == 200
    assert expected in page(response)
    assert "sheet" not in response.context


@pytest.mark.parametrize(
    ("upload_file", "expected"),
    [
        (SimpleUploadedFile("clients.xlsx", b""), "The file is empty."),
        (
            SimpleUploadedFile("clients.csv", b"id_number,first_name\n1,a\n"),
            "not an Excel .xlsx file",
        ),
        (SimpleUploadedFile("clients.xlsx", b"just some text"), "not an Excel .xlsx file"),
        (SimpleUploadedFile("clients.xlsx", b"PK\x03\x04" + b"0" * 100), "not an Excel .xlsx file"),
    ],
    ids=["empty", "csv", "text-renamed", "broken-zip"],
)
def test_a_file_that_is_not_a_workbook_is_refused(staff_client, upload_file, expected):
    with scopes_disabled():
        response = upload(staff_client, upload_file)

        assert response.status_code == 200
        assert expected in page(response)
        assert not Client.objects.exists()


def test_a_workbook_without_rows_is_refused(staff_client):
    workbook = openpyxl.Workbook()
    output = io.BytesIO()
    workbook.save(output)
    response = upload(staff_client, SimpleUploadedFile("clients.xlsx", output.getvalue()))
    assert "The file has no rows." in page(response)


def test_a_header_without_clients_is_refused(staff_client):
    response = upload(staff_client, xlsx([]))
    assert "a header row but no clients below it" in page(response)


def test_a_file_larger_than_5_mb_is_refused(staff_client):
    response = upload(staff_client, SimpleUploadedFile("big.xlsx", b"0" * (MAX_FILE_SIZE + 1)))
    assert "files up to 5 MB can be imported" in page(response)


@pytest.mark.parametrize("count", [2001, 10_000])
def test_more_than_2000_rows_are_refused_before_any_row_is_checked(
    staff_client, count, django_assert_max_num_queries
):
    with scopes_disabled():
        # The limit is checked before any row is: the rows' content does not matter.
        upload_file = xlsx([[None, national_code(n)] for n in range(count)])

        with django_assert_max_num_queries(10):
            response = upload(staff_client, upload_file)

        expected = f"The file has {count:,} rows; import at most 2,000 at a time — split the file."
        assert expected in page(response)
        assert not Client.objects.exists()


def test_confirm_without_an_upload_is_refused(staff_client):
    response = staff_client.post(URL, {"step": "confirm", "token": "0" * 32})

    assert response.status_code == 302
    assert response.url == URL
    assert "There is no checked file waiting to be imported." in messages_of(response)[0]


def test_confirm_with_another_sessions_token_is_refused(staff):
    with scope_for(staff):
        uploader = HttpClient()
        uploader.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
        preview = upload(uploader, xlsx([client_row(1)]))
        token = preview.context["token"]
        assert token

        other = HttpClient()
        other.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
        response = other.post(URL, {"step": "confirm", "token": token})

        assert response.status_code == 302
        assert not Client.objects.exists()
        assert confirm(uploader, preview).status_code == 302
        assert Client.objects.count() == 1


def test_a_forged_token_is_refused(staff_client):
    with scopes_disabled():
        upload(staff_client, xlsx([client_row(1)]))
        response = staff_client.post(URL, {"step": "confirm", "token": "../../etc/passwd"})

        assert response.status_code == 302
        assert not Client.objects.exists()
        assert len(kept_files()) == 1, "the session's own file waits for its real token"


def test_a_client_registered_between_preview_and_confirm_stops_the_whole_import(
    staff_client, centre
):
    with scopes_disabled():
        preview = upload(staff_client, xlsx([client_row(1), client_row(2)]))
        ClientFactory(
            centre=centre, id_number=national_code(2), first_name="مریم", last_name="کاظمی"
        )

        response = confirm(staff_client, preview)
        result = staff_client.get(response.url)

        assert "Some rows are no longer correct; nothing was imported." in page(result)
        assert re.search(r"<td[^>]*>Row 3</td>\s*<td>id_number</td>", page(result))
        assert "already registered for مریم کاظمی" in page(result)
        assert Client.objects.count() == 1, "only the client registered meanwhile"
        assert not kept_files()


def test_cancel_forgets_the_file(staff_client):
    with scopes_disabled():
        preview = upload(staff_client, xlsx([client_row(1)]))
        staff_client.post(URL, {"step": "cancel"})

        response = confirm(staff_client, preview)

        assert response.status_code == 302
        assert not Client.objects.exists()
        assert not kept_files()


def test_a_centre_manager_may_import(login, manager):
    response = upload(login(manager), xlsx([client_row(1)]))
    assert response.context["sheet"].is_clean


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_national_office_may_not_import(login, national, method):
    response = getattr(login(national), method)(URL)
    assert response.status_code == 403


# -- every row is read, whatever the sheet says about its size ----------------------------


def with_dimension(upload_file, ref):
    """The same file, its sheet claiming to span only `ref`: some programs write the
    sheet's <dimension> wrong, and a reader that trusts it stops early."""
    source = zipfile.ZipFile(io.BytesIO(upload_file.read()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>'.encode()
                )
                assert b"<dimension" in data
            target.writestr(info, data)
    return SimpleUploadedFile(upload_file.name, output.getvalue())


def test_rows_past_the_sheets_declared_size_are_read(staff_client):
    rows = [client_row(n) for n in range(1, 11)]
    response = upload(staff_client, with_dimension(xlsx(rows), "A1:O4"))

    sheet = response.context["sheet"]
    assert [row.number for row in sheet.rows] == list(range(2, 12))
    assert "Confirm: import 10 clients" in page(response)


def test_rows_past_the_sheets_declared_size_count_against_the_limit(staff_client):
    upload_file = xlsx([[None, national_code(n)] for n in range(2001)])
    response = upload(staff_client, with_dimension(upload_file, "A1:O4"))

    assert "The file has 2,001 rows; import at most 2,000 at a time" in page(response)
    assert "sheet" not in response.context


# -- dates beyond the Jalali calendar ------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "english", "persian"),
    [
        (datetime(9999, 12, 31), "9999-12-31", "۹۹۹۹-۱۲-۳۱"),
        (date(1, 1, 1), "0001-01-01", "۰۰۰۱-۰۱-۰۱"),
    ],
    ids=["9999-12-31", "0001-01-01"],
)
@pytest.mark.parametrize("language", ["en", "fa"])
def test_an_excel_date_outside_the_jalali_calendar_is_shown_and_refused(
    login, staff, cell, english, persian, language
):
    with scopes_disabled():
        staff.language = language
        staff.save()
        workbook = openpyxl.Workbook(write_only=True)
        workbook.iso_dates = True  # so that year 1 is written as a date cell too
        sheet = workbook.create_sheet()
        sheet.append(HEADER)
        sheet.append([client_row(1, birth_date=cell).get(key) for key in HEADER])
        output = io.BytesIO()
        workbook.save(output)

        response = upload(login(staff), SimpleUploadedFile("clients.xlsx", output.getvalue()))

        assert response.status_code == 200
        (bad,) = response.context["sheet"].bad_rows
        assert bad.problems[0].column == "birth_date"
        assert (english if language == "en" else persian) in page(response)
        assert not Client.objects.exists()


# -- a few queries, whatever the number of rows --------------------------------------------


def a_file_of(count, first=1):
    return xlsx([client_row(n) for n in range(first, first + count)])


@pytest.mark.parametrize("count", [3, 40])
def test_the_preview_takes_the_same_few_queries_for_any_number_of_rows(
    staff_client, centre, count, django_assert_num_queries
):
    ClientFactory(centre=centre, id_number=national_code(2))
    ClientFactory(id_number=national_code(999), welfare_file_number="IMP-00003")  # elsewhere
    upload_file = a_file_of(count)

    # The request's session, user, membership and groups; the provinces; the clients
    # already registered with the file's identities, and with its file numbers; the
    # navbar's follow-up count.
    with django_assert_num_queries(8):
        response = upload(staff_client, upload_file)

    bad = {row.number: row.problems[0].message for row in response.context["sheet"].bad_rows}
    assert list(bad) == [3, 4]
    assert "already registered for" in bad[3]
    assert "Another client already has this welfare file number." in bad[4]


# 30 rows: SQLite takes at most 999 parameters a statement, so a longer file is inserted in
# more than one batch there (one statement per 999 values, still not one per row).
@pytest.mark.parametrize("count", [3, 30])
def test_the_import_takes_the_same_few_queries_for_any_number_of_rows(
    staff_client, count, django_assert_num_queries
):
    preview = upload(staff_client, a_file_of(count))

    # The confirm request: session, user, membership, groups; the import's row; the
    # session saved (3, with its savepoint). The task: the centre and the import; two
    # progress writes; provinces and the two look-ups; "saving"; then in one transaction
    # (2 savepoints, 2 releases) the import locked, one insert each of clients, their
    # history, enrolments, their history, the clients' current enrolment and the log, and
    # the import marked done.
    with django_assert_num_queries(28):
        confirm(staff_client, preview)

    with scopes_disabled():
        assert Client.objects.count() == count


def test_a_file_number_taken_in_other_letters_is_refused(staff_client, other_centre):
    """`isf-01-00081` is `ISF-01-00081`: the import's set-based check compares the
    normalised numbers, as the registration form does, at every centre."""
    ClientFactory(centre=other_centre, welfare_file_number="ISF-01-00081")

    response = upload(staff_client, xlsx([client_row(1, welfare_file_number="isf-01-00081")]))

    (row,) = response.context["sheet"].bad_rows
    assert [problem.message for problem in row.problems] == [
        "Another client already has this welfare file number."
    ]
