"""The confirmed import runs in a background task: its page shows the progress, then the
result; the rows are saved all at once or not at all, however often the task runs."""

import os
import re
import time
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from centres.scoping import scope_for
from clients import importing
from clients.models import (
    Client,
    ClientImport,
    Enrolment,
    EnrolmentTransition,
    ImportStatus,
    State,
)
from clients.services import register_clients
from clients.tasks import run_client_import
from hami.errors import DomainError
from tests.factories import ClientFactory, ClientImportFactory, national_code

from .test_import import (  # noqa: F401
    _tasks_run_inline,
    client_row,
    confirm,
    imports_dir,
    kept_files,
    page,
    upload,
    xlsx,
)


@pytest.fixture
def staff_client(login, staff):
    staff.language = "en"
    staff.save()
    return login(staff)


def status_url(client_import):
    return reverse("clients:import_status", kwargs={"pk": client_import.pk})


def queued_import(centre, staff, rows):
    """An import confirmed and waiting for its task, its file in the imports storage."""
    name = storages["imports"].save("a" * 32 + ".xlsx", ContentFile(xlsx(rows).read()))
    return ClientImportFactory(
        centre=centre, created_by=staff, file_name=name, language="en", rows_total=len(rows)
    )


# -- the page ------------------------------------------------------------------------------


def test_a_running_import_shows_how_many_rows_are_checked_and_polls(staff_client, centre, staff):
    client_import = ClientImportFactory(
        centre=centre,
        created_by=staff,
        status=ImportStatus.CHECKING,
        started_at=timezone.now(),
        rows_total=2000,
        rows_checked=500,
    )

    response = staff_client.get(status_url(client_import))

    assert response.status_code == 200
    html = page(response)
    assert "Checking the rows" in html
    assert "500 of 2000 rows checked" in html
    assert re.search(r'<progress class="w-100" max="2000" value="500"', html)
    assert f'hx-get="{status_url(client_import)}" hx-trigger="every 1s"' in html
    assert "<script>" not in html and "style=" not in html, "strict CSP: nothing inline"


def test_htmx_gets_the_progress_alone(staff_client, centre, staff):
    client_import = ClientImportFactory(centre=centre, created_by=staff, rows_total=10)

    response = staff_client.get(status_url(client_import), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert page(response).lstrip().startswith('<div id="import-progress"')
    assert "<html" not in page(response)
    assert "HX-Request" in response["Vary"]


def test_the_progress_speaks_persian(login, centre, staff):
    client_import = ClientImportFactory(
        centre=centre,
        created_by=staff,
        status=ImportStatus.CHECKING,
        started_at=timezone.now(),
        rows_total=2000,
        rows_checked=500,
    )

    response = login(staff).get(status_url(client_import))

    assert "۵۰۰ از ۲۰۰۰ ردیف بررسی شد" in page(response)


def test_an_import_that_outlived_its_time_limit_says_it_stopped(staff_client, centre, staff):
    client_import = ClientImportFactory(
        centre=centre,
        created_by=staff,
        status=ImportStatus.SAVING,
        started_at=timezone.now() - timedelta(minutes=20),
        rows_total=10,
        rows_checked=10,
    )

    response = staff_client.get(status_url(client_import))

    assert "The import stopped before it finished; nothing was imported." in page(response)
    assert "hx-trigger" not in page(response)


def test_another_centres_import_is_not_found(login, other_staff, centre, staff):
    client_import = ClientImportFactory(centre=centre, created_by=staff)

    assert login(other_staff).get(status_url(client_import)).status_code == 404


def test_the_national_office_may_not_see_an_import(login, national, centre, staff):
    client_import = ClientImportFactory(centre=centre, created_by=staff)

    assert login(national).get(status_url(client_import)).status_code == 403


# -- the task ------------------------------------------------------------------------------


def test_the_task_imports_every_row_and_deletes_the_file(centre, staff):
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1), client_row(2)])

        run_client_import(client_import.pk, centre.pk)

        client_import.refresh_from_db()
        assert client_import.status == ImportStatus.DONE
        assert (client_import.rows_checked, client_import.created_count) == (2, 2)
        assert client_import.finished_at is not None
        clients = Client.objects.filter(centre=centre)
        assert sorted(clients.values_list("welfare_file_number", flat=True)) == [
            "IMP-00001",
            "IMP-00002",
        ]
        assert not kept_files()


def test_the_task_opens_its_centres_scope_itself(centre, staff):
    """A worker has no request, so no scope: the task opens its centre's on purpose."""
    client_import = queued_import(centre, staff, [client_row(1)])

    with scope():  # the scopes net on, and no centre in scope
        with pytest.raises(ScopeError):
            Client.objects.count()
        run_client_import(client_import.pk, centre.pk)

    with scopes_disabled():
        assert Client.objects.filter(centre=centre).count() == 1


def test_the_task_finds_no_import_outside_the_centre_it_is_given(centre, other_centre, staff):
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1)])

        run_client_import(client_import.pk, other_centre.pk)

        client_import.refresh_from_db()
        assert client_import.status == ImportStatus.QUEUED
        assert not Client.objects.exists()


def test_a_task_delivered_twice_imports_once(centre, staff):
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1), client_row(2)])

        run_client_import(client_import.pk, centre.pk)
        run_client_import(client_import.pk, centre.pk)

        assert Client.objects.count() == 2
        client_import.refresh_from_db()
        assert (client_import.status, client_import.created_count) == (ImportStatus.DONE, 2)


def test_a_task_stopped_halfway_runs_again_from_the_start(centre, staff):
    """A worker that died while saving committed nothing; the message comes back."""
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1), client_row(2)])
        ClientImport.objects.filter(pk=client_import.pk).update(
            status=ImportStatus.SAVING, started_at=timezone.now(), rows_checked=2
        )

        run_client_import(client_import.pk, centre.pk)

        client_import.refresh_from_db()
        assert client_import.status == ImportStatus.DONE
        assert Client.objects.count() == 2


def test_progress_is_written_outside_the_transaction_that_saves_the_rows(
    centre, staff, monkeypatch
):
    """So the page sees it while the task runs; the rows and "done" commit together."""
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    client_import = queued_import(centre, staff, [client_row(n) for n in range(1, 6)])
    depth_of_the_test = len(connection.atomic_blocks)
    writes = []
    write = importing._write

    def recording_write(client_import, **fields):
        writes.append((fields, len(connection.atomic_blocks) - depth_of_the_test))
        write(client_import, **fields)

    monkeypatch.setattr(importing, "_write", recording_write)

    run_client_import(client_import.pk, centre.pk)

    progress = [
        (fields.get("status"), fields.get("rows_checked"), depth) for fields, depth in writes
    ]
    assert progress == [
        (ImportStatus.CHECKING, 0, 0),
        (None, None, 0),  # rows_total, once the file is read
        (None, 2, 0),
        (None, 4, 0),
        (ImportStatus.SAVING, 5, 0),
        (ImportStatus.DONE, None, 1),  # in the transaction that saved the rows
    ]


def test_a_client_registered_while_the_task_saves_stops_the_whole_import(
    centre, staff, monkeypatch
):
    """Registered by someone else after the task looked: the database refuses the
    duplicate, and the task saves none of the rows."""
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1), client_row(2)])
        ClientFactory(centre=centre, id_number=national_code(2))

        def looked_too_early(self, forms):
            self.identities, self.file_numbers = {}, set()

        monkeypatch.setattr(importing.Registered, "__init__", looked_too_early)

        run_client_import(client_import.pk, centre.pk)

        client_import.refresh_from_db()
        assert client_import.status == ImportStatus.FAILED
        assert client_import.error.startswith("One of these clients was registered meanwhile")
        assert Client.objects.count() == 1, "only the client registered meanwhile"
        assert not kept_files()


def test_a_task_past_its_time_limit_saves_nothing_and_says_so(centre, staff, monkeypatch):
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1)])

        def slow(**kwargs):
            raise SoftTimeLimitExceeded

        monkeypatch.setattr("clients.tasks.run_import", slow)

        run_client_import(client_import.pk, centre.pk)

        client_import.refresh_from_db()
        assert client_import.status == ImportStatus.FAILED
        assert "took too long" in client_import.error
        assert not Client.objects.exists()


def test_a_task_that_breaks_says_nothing_was_imported(centre, staff, monkeypatch):
    client_import = queued_import(centre, staff, [client_row(1)])

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("clients.tasks.run_import", broken)

    with pytest.raises(RuntimeError):
        run_client_import(client_import.pk, centre.pk)

    client_import.refresh_from_db()
    assert client_import.status == ImportStatus.FAILED
    assert "nothing was imported" in client_import.error


def test_a_file_gone_from_storage_fails_cleanly(centre, staff):
    client_import = queued_import(centre, staff, [client_row(1)])
    storages["imports"].delete(client_import.file_name)

    run_client_import(client_import.pk, centre.pk)

    client_import.refresh_from_db()
    assert client_import.status == ImportStatus.FAILED
    assert "can no longer be read" in client_import.error


def test_the_tasks_messages_are_in_the_language_of_the_confirmation(centre, staff):
    with scopes_disabled():
        client_import = queued_import(centre, staff, [client_row(1)])
        ClientImport.objects.filter(pk=client_import.pk).update(language="fa")
        ClientFactory(centre=centre, id_number=national_code(1))

        run_client_import(client_import.pk, centre.pk)

        client_import.refresh_from_db()
        assert client_import.error.startswith("برخی از ردیف‌ها دیگر درست نیستند")
        assert client_import.problems[0]["row"] == 2


# -- the files waiting between preview and import ------------------------------------------


def test_the_checked_file_waits_in_the_imports_storage(staff_client, imports_dir):  # noqa: F811
    upload(staff_client, xlsx([client_row(1)]))

    (kept,) = kept_files()
    assert kept.parent == imports_dir
    assert oct(kept.stat().st_mode & 0o777) == oct(0o600), "personal data: owner only"


def test_files_of_previews_left_for_a_day_are_swept(staff_client, imports_dir):  # noqa: F811
    imports_dir.mkdir()
    old, fresh = imports_dir / ("0" * 32 + ".xlsx"), imports_dir / ("1" * 32 + ".xlsx")
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    a_day_ago = time.time() - 25 * 60 * 60
    os.utime(old, (a_day_ago, a_day_ago))

    upload(staff_client, xlsx([client_row(1)]))

    assert not old.exists()
    assert fresh.exists()


# -- the bulk registration -----------------------------------------------------------------


def fields_of(n, **changes):
    from centres.models import Province

    row = {
        "id_type": "national_code",
        "id_number": national_code(n),
        "welfare_file_number": f"BULK-{n}",
        "first_name": "  زهرا\u200b ",
        "last_name": f"احمدی {n}",
        "father_name": "",
        "gender": "female",
        "birth_date": timezone.localdate() - timedelta(days=30 * 365),
        "mobile": "",
        "province": Province.objects.get(code="23"),
        "city": "تهران",
        "address": "",
        "category": "female_head",
        "education": "diploma",
    }
    row.update(changes)
    return row


def test_register_clients_registers_each_with_an_intake_enrolment_a_log_and_history(centre, staff):
    with scope_for(staff):
        clients = register_clients(
            centre=centre, by=staff, rows=[fields_of(1), fields_of(2), fields_of(3)]
        )

    assert len(clients) == 3
    with scopes_disabled():
        _assert_registered(clients, centre, staff)


def _assert_registered(clients, centre, staff):
    for client in clients:
        client.refresh_from_db()
        assert client.first_name == "زهرا", "text normalised as when saved one by one"
        assert client.created_by == staff
        (enrolment,) = Enrolment.objects.filter(client=client)
        assert (enrolment.state, enrolment.centre) == (State.INTAKE, centre)
        (log,) = EnrolmentTransition.objects.filter(enrolment=enrolment)
        assert (log.action, log.from_state, log.to_state, log.by) == (
            "register",
            "",
            State.INTAKE,
            staff,
        )
        assert client.history.get().history_user == staff
        assert enrolment.history.get().history_type == "+"


def test_register_clients_saves_none_when_one_is_taken(centre, staff):
    ClientFactory(id_number=national_code(2))  # at another centre

    with scope_for(staff), pytest.raises(DomainError) as refusal:
        register_clients(centre=centre, by=staff, rows=[fields_of(1), fields_of(2)])

    assert "Nothing was imported" in refusal.value.message
    with scopes_disabled():
        assert Client.objects.count() == 1
        assert not Enrolment.objects.exists()
    assert not Client.history.filter(welfare_file_number="BULK-1").exists()
