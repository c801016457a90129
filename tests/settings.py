"""The settings the tests run with: Hami's one settings module (`config.settings`), read
as on a developer's machine. Settings default to production (DEBUG off, so the secret key
and hosts are required); the tests set DEBUG on before the module reads the environment,
as `make run` does. Django itself still runs the tests with DEBUG off."""

import os

os.environ.setdefault("DEBUG", "1")

import tempfile

from config.settings import *  # noqa: F403

# Text messages go to `sms.outbox` (django-sms's test backend), as e-mails go to
# `mail.outbox`; tests/conftest.py empties it before each test.
SMS_BACKEND = "sms.backends.locmem.SmsBackend"
# Applicants' documents go to a folder of the test run, never the project's var/.
STORAGES["applications"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="hami-applications-")  # noqa: F405
# Throttling counters in memory, whatever REDIS_URL says: tests clear them freely.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
