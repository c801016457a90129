"""The settings the tests run with: Hami's one settings module (`config.settings`), read
as on a developer's machine. Settings default to production (DEBUG off, so the secret key
and hosts are required); the tests set DEBUG on before the module reads the environment,
as `make run` does. Django itself still runs the tests with DEBUG off."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403

# Text messages go to `sms.outbox` (django-sms's test backend), as e-mails go to
# `mail.outbox`; tests/conftest.py empties it before each test.
SMS_BACKEND = "sms.backends.locmem.SmsBackend"
