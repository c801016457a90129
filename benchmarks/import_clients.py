"""How long the client import takes for a full file (2,000 rows), and how many queries.

Builds a clean 2,000-row .xlsx, logs in as a centre's staff and goes through the import
page as a user does: upload (the preview: every row checked) and confirm (every row
registered). The confirm step runs its Celery task inline (CELERY_TASK_ALWAYS_EAGER), so
its numbers are the whole work, request and task together.

    DEBUG=1 .venv/bin/python benchmarks/import_clients.py              # SQLite (a temp file)
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1/hami \\
        .venv/bin/python benchmarks/import_clients.py                  # PostgreSQL

On PostgreSQL the script works in a throw-away database `test_<name>` (Django's test
database), never in the database named by DATABASE_URL. `--repeat N` imports N files of
new clients one after another and reports each run. `--code PATH` measures another checkout
of Hami (e.g. an older commit unpacked with `git archive`) with this script.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent)
    return parser.parse_args()


def set_up_django(code: Path, workdir: Path):
    sys.path.insert(0, str(code))
    os.chdir(code)
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("HAMI_IMPORT_DIR", str(workdir / "imports"))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    settings.BASE_DIR = workdir  # where today's code keeps its pending files
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    started = time.perf_counter()
    connection.original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: {connection.vendor}, migrated in {time.perf_counter() - started:.1f} s")
    return connection


def national_code(n: int) -> str:
    from hami.validators import national_code_check_digit

    first_nine = f"{(n * 7919 + 1234567) % 10**9:09d}"
    if len(set(first_nine)) == 1:
        first_nine = "12345678" + first_nine[-1]
    return first_nine + str(national_code_check_digit(first_nine))


def build_file(rows: int, first: int) -> bytes:
    """A clean list: Persian text, Jalali birth dates, a few Excel date and number cells."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for n in range(first, first + rows):
        sheet.append(
            [
                "national_code",
                national_code(n),
                f"BEN-{n:07d}",
                "زهرا",
                f"احمدی {n}",
                "علی",
                "female" if n % 2 else "male",
                date(1990, 1 + n % 12, 1 + n % 28)
                if n % 5 == 0
                else f"13{60 + n % 20}/0{1 + n % 9}/1{n % 9}",
                f"0912{n % 10_000_000:07d}",
                "تهران" if n % 3 else "Isfahan",
                "تهران",
                "خیابان آزادی، کوچه ۱۲",
                "female_head" if n % 2 else "physical",
                "diploma",
                "yes",
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class QueryCounter:
    """Counts every query (Django's own query log keeps only the last 9,000)."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hami-bench-"))
    connection = set_up_django(args.code.resolve(), workdir)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client as HttpClient
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from centres.models import Centre, Membership, Province
    from centres.services import set_membership
    from clients.models import Client
    from hami.models import User

    with scopes_disabled():
        tehran = Province.objects.get(code="23")
        centre = Centre.objects.create(
            code="BEN-01", name="مرکز حمایت شغلی سنجش", province=tehran, city="تهران"
        )
        user = User.objects.create_user("bench.staff", password="a-long-bench-password")
        set_membership(user=user, centre=centre, role=Membership.Role.STAFF)
    http = HttpClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("clients:import")

    print(f"rows: {args.rows}")
    print("| run | step | queries | seconds (wall) | seconds (CPU) |")
    print("|---|---|---:|---:|---:|")
    for run in range(1, args.repeat + 1):
        content = build_file(args.rows, first=run * 100_000)
        upload = SimpleUploadedFile("clients.xlsx", content)
        with QueryCounter(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            preview = http.post(url, {"step": "upload", "file": upload})
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        token = preview.context["token"]
        assert token, [row.problems for row in preview.context["sheet"].bad_rows[:3]]
        print(f"| {run} | preview | {queries.count:,} | {seconds:.2f} | {cpu:.2f} |")

        with scopes_disabled():
            before = Client.objects.count()
        with QueryCounter(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            response = http.post(url, {"step": "confirm", "token": token})
            if response.status_code == 302 and "/import/" in response.url:
                http.get(response.url)  # the progress page the user lands on
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        with scopes_disabled():
            created = Client.objects.count() - before
        assert created == args.rows, f"{created} clients imported, {args.rows} expected"
        print(f"| {run} | confirm | {queries.count:,} | {seconds:.2f} | {cpu:.2f} |")
    connection.creation.destroy_test_db(connection.original_name, verbosity=0)


if __name__ == "__main__":
    main()
