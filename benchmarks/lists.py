"""How long the lists and look-ups take at national scale: server time per request (the
whole Django request: middleware, queries, template), p50 of 20 after two warm-up
requests, and the queries each request made.

Runs against a database that already holds the national data (made once, it takes
minutes; reused by every run):

    createdb -h 127.0.0.1 -U postgres hami_scale_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1/hami_scale_bench DEBUG=1
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --scale national
    .venv/bin/python benchmarks/lists.py [--repeat 20] [--only client]

Three times a request: wall (what a user waits for; on a shared machine inflated by
whatever else runs, so the load average is printed), this process's CPU (Django's own
work) and the database's time as the driver saw it. The deep pages are the pages a user reaches by following "Next": the link's cursor is
the sort key of the row before the page (row 500,000 of the client list is page 20,001
at 25 a page).
"""

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    return parser.parse_args()


def set_up_django():
    """Django on the database DATABASE_URL names, as it is: unlike `_django.set_up_django`
    (a fresh test database), this reads the national data made once beforehand."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()


def cursor_at(queryset, offset: int) -> str:
    """The "Next" link's cursor after `offset` rows of `queryset` (in its ordering)."""
    from hami.pagination import cursor_after

    return cursor_after(queryset, queryset[offset - 1])


def cases():
    from django.contrib.auth import get_user_model
    from django_scopes import scopes_disabled

    from clients.models import Client, State
    from clients.selectors import CLIENT_ORDERINGS
    from loans.models import LoanApplication
    from placements.models import Employer

    User = get_user_model()
    national = User.objects.get(username="national")
    staff = User.objects.get(username="staff.thr01")
    with scopes_disabled():
        by_name = Client.objects.order_by(*CLIENT_ORDERINGS["name"])
        deep = cursor_at(by_name, 500_000)
        placed = by_name.filter(current_enrolment__state=State.PLACED)
        placed_deep = cursor_at(placed, 100_000)
        waiting = by_name.filter(current_enrolment__state=State.WAITING)
        waiting_deep = cursor_at(waiting, 4_000)
        loans = LoanApplication.objects.order_by("-created_at", "-pk")
        loans_deep = cursor_at(loans, 50_000)
        employers_deep = cursor_at(Employer.objects.order_by("name", "pk"), 15_000)
        sample = Client.objects.order_by("pk")[654_321]
        thr01 = Client.objects.filter(centre__code="THR-01").order_by("pk").first()

    yield "client list, national, first page", national, "/clients/", {}
    yield "client list, national, page 20,001", national, "/clients/", {"after": deep}
    yield "client list, national, by status (placed)", national, "/clients/", {"state": "placed"}
    yield (
        "client list, national, by status (placed), row 100,000",
        national,
        "/clients/",
        {"state": "placed", "after": placed_deep},
    )
    yield (
        "client list, national, by status (waiting)",
        national,
        "/clients/",
        {"state": "waiting"},
    )
    yield (
        "client list, national, by status (waiting), row 4,000",
        national,
        "/clients/",
        {"state": "waiting", "after": waiting_deep},
    )
    yield (
        "client list, national, newest first",
        national,
        "/clients/",
        {"sort": "-registered"},
    )
    yield (
        "client lookup, national code",
        national,
        "/clients/",
        {"q": sample.id_number},
    )
    yield (
        "client lookup, welfare file number",
        national,
        "/clients/",
        {"q": sample.welfare_file_number},
    )
    yield (
        "client lookup, first and last name",
        national,
        "/clients/",
        {"q": f"{sample.first_name} {sample.last_name}"},
    )
    yield "client lookup, last name", national, "/clients/", {"q": sample.last_name}
    # The search box asks as the user types (htmx): the answer is the results alone.
    for what, text in (
        ("national code", sample.id_number),
        ("first and last name", f"{sample.first_name} {sample.last_name}"),
        ("last name", sample.last_name),
    ):
        yield f"client lookup as you type (htmx), {what}", national, "/clients/", {"q": text}
    yield "client list, centre staff (THR-01)", staff, "/clients/", {}
    yield "client lookup, centre staff, last name", staff, "/clients/", {"q": thr01.last_name}
    yield "loan list, national, first page", national, "/loans/", {}
    yield "loan list, national, row 50,000", national, "/loans/", {"after": loans_deep}
    yield "loan list, national, repaying", national, "/loans/", {"state": "repaying"}
    employers = "/placements/employers/"
    yield "employer list, national, first page", national, employers, {}
    yield "employer list, national, row 15,000", national, employers, {"after": employers_deep}
    yield "employer list, centre staff (THR-01)", staff, employers, {}


@dataclass
class Timing:
    wall: float
    cpu: float
    sql: float


def measure(client, url, params, repeat, headers=None):
    """p50 of the request's wall time, of this process's CPU time (Django: middleware,
    ORM, templates) and of the database's time as the driver saw it, all in ms; the
    query counts seen; the rows the page shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url, params, headers=headers)
        assert response.status_code == 200, (url, params, response.status_code)
    wall, cpu, sql, queries = [], [], [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params, headers=headers)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        queries.add(len(captured))
    timing = Timing(statistics.median(wall), statistics.median(cpu), statistics.median(sql))
    return timing, sorted(queries), len(response.context["page"].object_list)


def load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main():
    args = parse_args()
    set_up_django()
    from django.db import connection
    from django.test import Client

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load {load()}")
    print("| list or look-up | rows a page | p50 ms | CPU ms | SQL ms | queries | rows shown |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    browsers = {}
    for name, user, url, params in cases():
        if args.only not in name:
            continue
        if user.pk not in browsers:
            browsers[user.pk] = Client()
            browsers[user.pk].force_login(user)
        sizes = (25, 100) if "lookup" not in name else (25,)
        for size in sizes:
            headers = {"HX-Request": "true"} if "htmx" in name else None
            timing, queries, rows = measure(
                browsers[user.pk], url, {**params, "size": size}, args.repeat, headers
            )
            counts = "/".join(str(q) for q in queries)
            print(
                f"| {name} | {size} | {timing.wall:.0f} | {timing.cpu:.0f} | {timing.sql:.0f} "
                f"| {counts} | {rows} |",
                flush=True,
            )
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
