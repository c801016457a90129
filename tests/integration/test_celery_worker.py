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
