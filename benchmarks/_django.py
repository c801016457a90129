"""What the benchmark scripts share: Django set up on a throw-away database (Django's test
database `test_<name>` on PostgreSQL, a file in a temporary folder on SQLite, never the
database DATABASE_URL names), and a counter of the queries a step makes."""

import os
import sys
import time
from pathlib import Path


def set_up_django(workdir: Path, **environ):
    """Django on a fresh, migrated test database; `environ` is set before the settings are
    read (e.g. SMS_BACKEND)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DEBUG", "1")
    os.environ.update(environ)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    started = time.perf_counter()
    connection.original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: {connection.vendor}, migrated in {time.perf_counter() - started:.1f} s")
    return connection


def tear_down(connection) -> None:
    connection.creation.destroy_test_db(connection.original_name, verbosity=0)


class QueryCounter:
    """`with connection.execute_wrapper(counter):` counts the queries made inside."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
