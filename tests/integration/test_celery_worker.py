"""A real Celery worker runs Hami's tasks: on Redis in production and CI, and on the
embedded filesystem broker that `make run` uses when there is no Redis."""

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app
from hami.tasks import ping


@pytest.fixture
def embedded_app(tmp_path):
    """A Celery app configured like `make run` without REDIS_URL: kombu's filesystem
    transport in a folder. Its own app, so Hami's global app keeps its configuration."""
    for folder in ("queue", "control"):
        (tmp_path / folder).mkdir()
    embedded = Celery("hami-embedded", set_as_current=False)
    embedded.config_from_object("django.conf:settings", namespace="CELERY")
    embedded.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "control_folder": str(tmp_path / "control"),
        },
        result_backend="cache+memory://",
    )
    embedded.task(name=ping.name)(ping.run)
    return embedded


def test_worker_on_the_embedded_broker_runs_tasks(embedded_app):
    with start_worker(embedded_app, perform_ping_check=False, pool="solo"):
        assert embedded_app.send_task(ping.name).get(timeout=20) == "pong"


@pytest.mark.redis
def test_worker_on_redis_runs_tasks():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo"):
        assert ping.delay().get(timeout=20) == "pong"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_on_redis_imports_a_client_list(settings, tmp_path):
    """The confirmed import's task, run by a real worker: it opens its centre's scope
    itself, reads the file from the imports storage and registers every row."""
    import io

    import openpyxl
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from django_scopes import scopes_disabled

    from clients.models import Client, ImportStatus
    from clients.tasks import run_client_import
    from tests.factories import CentreFactory, ClientImportFactory, make_member, national_code

    folder = tmp_path / "imports"
    imports = settings.STORAGES["imports"]
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {**imports, "OPTIONS": {**imports["OPTIONS"], "location": str(folder)}},
    }
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(
        [
            "id_number",
            "welfare_file_number",
            "first_name",
            "last_name",
            "gender",
            "birth_date",
            "province",
            "city",
            "category",
            "education",
            "consent",
        ]
    )
    for n in (1, 2):
        sheet.append(
            [
                national_code(n),
                f"WRK-{n}",
                "زهرا",
                f"احمدی {n}",
                "female",
                "1370/01/01",
                "23",
                "تهران",
                "female_head",
                "diploma",
                "yes",
            ]
        )
    content = io.BytesIO()
    workbook.save(content)
    with scopes_disabled():
        centre = CentreFactory(code="WRK-01")
        staff = make_member(centre, username="staff.worker")
        name = storages["imports"].save("c" * 32 + ".xlsx", ContentFile(content.getvalue()))
        client_import = ClientImportFactory(
            centre=centre, created_by=staff, file_name=name, rows_total=2
        )

    with start_worker(app, perform_ping_check=False, pool="solo"):
        run_client_import.delay(client_import.pk, centre.pk).get(timeout=60)

    with scopes_disabled():
        client_import.refresh_from_db()
        assert (client_import.status, client_import.created_count) == (ImportStatus.DONE, 2)
        assert Client.objects.filter(centre=centre).count() == 2
    assert not list(folder.iterdir()), "the file is deleted once imported"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saving_a_placement_has_a_real_worker_text_the_client():
    """The placement's text message is handed to the broker when the placement's
    transaction commits; a real worker on Redis takes it and sends it."""
    import threading

    import sms
    from celery.signals import task_postrun
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from centres.scoping import scope_for
    from clients.models import State
    from placements import services
    from placements.models import Reminder, ReminderStatus
    from placements.tasks import send_reminder
    from tests.factories import CentreFactory, ClientFactory, EnrolmentFactory, make_member

    with scopes_disabled():
        centre = CentreFactory(code="WRK-02")
        staff = make_member(centre, username="staff.worker2")
        enrolment = EnrolmentFactory(
            client=ClientFactory(centre=centre, mobile="09351234567"), state=State.TRAINED
        )
    ran = threading.Event()

    def note(sender=None, **kwargs):
        if sender is not None and sender.name == send_reminder.name:
            ran.set()

    task_postrun.connect(note, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, pool="solo"):
            with scope_for(staff):
                services.place(
                    enrolment=enrolment,
                    by=staff,
                    kind="self_employment",
                    starts_on=timezone.localdate(),
                    business_name="خیاطی نگین",
                    premises="home",
                    activity="دوخت لباس",
                )
            assert ran.wait(timeout=30), "the worker did not run the placement's task"
    finally:
        task_postrun.disconnect(note)

    with scopes_disabled():
        reminder = Reminder.objects.get()
    assert reminder.status == ReminderStatus.SENT
    assert [m.recipients for m in sms.outbox] == [["09351234567"]]
