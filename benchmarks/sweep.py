"""How long the daily follow-up sweep (`placements.sweep.sweep_follow_ups`) takes over a
national programme: by default 500,000 placements and their 2,000,000 follow-ups in 1,000
centres, each with a staff member and a manager to e-mail; and how long an opening's
candidate suggestions take with 1,000 trained clients at its centre.

Rows are written straight into the tables (bulk inserts, not the services: this measures
the sweep, not the making). The placements started on days spread over the last 15
months, so their follow-ups fall due from 14 months ago to a year ahead, all still
`scheduled` (the worst case: nothing swept before). One in twenty placements has ended and
one in fifty clients has withdrawn (their open follow-ups are cancelled). Then the sweep
runs as of a day, then as of the next day (what every later morning looks like), with the
number of queries and of messages.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1/hami \\
        .venv/bin/python benchmarks/sweep.py                          # PostgreSQL, 2M
    DEBUG=1 .venv/bin/python benchmarks/sweep.py --placements 20000   # SQLite, temp file

`--existing` sweeps the database DATABASE_URL names as it is, e.g. the national data of
`seed_demo --scale national` (1,000 centres, 2,000,000 follow-ups): it gives each centre a
staff member and a manager with an e-mail address if it has none, puts every open
follow-up back to `scheduled` (the worst case), then sweeps. It changes that database:
use a copy made for benchmarking.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1/hami_scale_bench \
        .venv/bin/python benchmarks/sweep.py --existing
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _django import QueryCounter, set_up_django, tear_down

BATCH = 10_000
TRAINED = 1_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=500_000)
    parser.add_argument("--centres", type=int, default=1_000)
    parser.add_argument("--existing", action="store_true", help="sweep DATABASE_URL as it is")
    return parser.parse_args()


def build(placements: int, centres_wanted: int, today: date):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from centres.models import Centre, Membership, Province
    from clients.models import Client, Enrolment, State
    from placements.models import FollowUp, Placement, PlacementKind, status_on
    from placements.services import follow_up_schedule

    rng = random.Random(1403)
    User = get_user_model()
    province = Province.objects.order_by("code").first()
    centres = Centre.objects.bulk_create(
        Centre(code=f"SWP-{n:03d}", name=f"مرکز {n}", province=province, city="تهران")
        for n in range(centres_wanted)
    )
    staff = []
    for centre in centres:
        for role in (Membership.Role.STAFF, Membership.Role.MANAGER):
            user = User.objects.create(
                username=f"{role}.{centre.code}", email=f"{role}.{centre.code}@example.org"
            )
            Membership.objects.create(user=user, centre=centre, role=role)
            staff.append(user)
    now = timezone.now()
    made = 0
    started = time.perf_counter()
    while made < placements:
        size = min(BATCH, placements - made)
        numbers = range(made, made + size)
        clients = Client.objects.bulk_create(
            Client(
                centre=centres[n % centres_wanted],
                id_number=f"{n:010d}",
                welfare_file_number=f"SWP-{n}",
                first_name="زهرا",
                last_name=f"احمدی {n}",
                gender="female",
                birth_date=date(1990, 1, 1),
                mobile=f"0912{n:07d}",
                province=province,
                city="تهران",
                category="other",
                education="diploma",
                consent_recorded_at=now,
                created_by=staff[0],
            )
            for n in numbers
        )
        withdrawn = [rng.random() < 0.02 for _ in clients]
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                client=client,
                centre_id=client.centre_id,
                state=State.WITHDRAWN if left else State.PLACED,
                opened_at=now - timedelta(days=600),
                closed_at=now if left else None,
            )
            for client, left in zip(clients, withdrawn, strict=True)
        )
        rows = []
        for enrolment in enrolments:
            starts_on = today - timedelta(days=rng.randrange(0, 460))
            ended = rng.random() < 0.05
            rows.append(
                Placement(
                    centre_id=enrolment.centre_id,
                    enrolment=enrolment,
                    kind=PlacementKind.SELF_EMPLOYMENT,
                    business_name="کسب‌وکار",
                    premises="home",
                    activity="دوخت",
                    starts_on=starts_on,
                    ended_on=starts_on + timedelta(days=20) if ended else None,
                    end_reason="x" if ended else "",
                    created_by=staff[0],
                )
            )
        rows = Placement.objects.bulk_create(rows)
        FollowUp.objects.bulk_create(
            (
                FollowUp(
                    centre_id=placement.centre_id,
                    placement=placement,
                    months_after=months,
                    due_on=due_on,
                    assigned_to=staff[0],
                    status=status_on(due_on, placement.starts_on),  # as on the day saved
                )
                for placement in rows
                for months, due_on in follow_up_schedule(placement.starts_on)
            ),
            batch_size=BATCH,
        )
        made += size
        if made % 100_000 == 0 or made == placements:
            print(f"  {made:,} placements written ({time.perf_counter() - started:.0f} s)")
    return centres, staff


def trained_clients(centre, staff, opening_trade, count: int):
    """`count` trained clients at `centre`, half of them in the opening's trade."""
    from django.utils import timezone

    from centres.models import Course, Trade
    from clients.models import Client, Enrolment, State

    now = timezone.now()
    today = timezone.localdate()
    other = Trade.objects.exclude(pk=opening_trade.pk).first()
    courses = [
        Course.objects.create(
            centre=centre,
            trade=trade,
            title=f"دوره {trade.pk}",
            starts_on=today - timedelta(days=200),
            ends_on=today - timedelta(days=100),
            hours=200,
        )
        for trade in (opening_trade, other)
    ]
    clients = Client.objects.bulk_create(
        Client(
            centre=centre,
            id_number=f"9{n:09d}",
            welfare_file_number=f"TRN-{n}",
            first_name="مریم",
            last_name=f"رضایی {n}",
            gender="female",
            birth_date=date(1990, 1, 1),
            province=centre.province,
            city="تهران" if n % 3 else "کرج",
            category="other",
            education="diploma",
            consent_recorded_at=now,
            created_by=staff,
        )
        for n in range(count)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            client=client,
            centre=centre,
            state=State.TRAINED,
            course=courses[n % 2],
            opened_at=now - timedelta(days=300),
            training_started_on=today - timedelta(days=200),
            training_finished_on=today - timedelta(days=100 - n % 90),
            attendance_percent=90,
        )
        for n, client in enumerate(clients)
    )


def time_suggestions(centre, staff, repeats: int = 20):
    from django.db import connection
    from django.utils import timezone

    from centres.models import Trade
    from placements.models import Employer, Opening
    from placements.selectors import suggestions

    trade = Trade.objects.order_by("pk").first()
    trained_clients(centre, staff, trade, TRAINED)
    employer = Employer.objects.create(
        centre=centre,
        name="کارگاه",
        kind="company",
        province=centre.province,
        city="تهران",
        created_by=staff,
    )
    opening = Opening.objects.create(
        centre=centre,
        employer=employer,
        trade=trade,
        title="چرخ‌کار",
        city="تهران",
        places=5,
        wage_offered=10**8,
        skill_level="simple",
        open_until=timezone.localdate() + timedelta(days=30),
        created_by=staff,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    times, counter = [], QueryCounter()
    for _ in range(repeats):
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            shown = suggestions(opening)
            times.append((time.perf_counter() - started) * 1000)
    print(
        f"suggestions for an opening, {TRAINED:,} trained clients at the centre: "
        f"p50 {statistics.median(times):.1f} ms, max {max(times):.1f} ms over {repeats}, "
        f"{counter.count // repeats} queries, {len(shown)} shown"
    )


def staff_everywhere():
    """A staff member and a manager with an e-mail address at every centre with none."""
    from django.contrib.auth import get_user_model

    from centres.models import Centre, Membership

    User = get_user_model()
    covered = set(Membership.objects.exclude(user__email="").values_list("centre_id", flat=True))
    for centre in Centre.objects.exclude(pk__in=covered).order_by("pk"):
        for role in (Membership.Role.STAFF, Membership.Role.MANAGER):
            user = User.objects.create(
                username=f"bench.{role}.{centre.pk}", email=f"{role}.{centre.pk}@example.org"
            )
            Membership.objects.create(user=user, centre=centre, role=role)


def sweep_twice(connection, today):
    """The sweep as the Celery task runs it (statuses and the day's reminders, timed),
    then the sending of those reminders, timed apart: the task hands them to the workers
    in batches of 200, so in production they go out in parallel."""
    import sms
    from django.core import mail
    from django.utils import timezone

    from placements.reminders import deliver_pending
    from placements.sweep import sweep_follow_ups

    for label, day in (("first run", today), ("next morning", today + timedelta(1))):
        counter = QueryCounter()
        mail.outbox, sms.outbox = [], []
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            run = sweep_follow_ups(on=day, at=timezone.now(), deliver=False)
            swept = time.perf_counter() - started
            queries = counter.count
            started = time.perf_counter()
            delivery = deliver_pending(on=day, at=timezone.now())
            sent = time.perf_counter() - started
        messages = len(mail.outbox) + len(sms.outbox)
        print(
            f"{label}: sweep {swept:.1f} s, {queries:,} queries; {run.cancelled:,} cancelled, "
            f"{run.due:,} due, {run.missed:,} missed; {run.digests + run.escalations:,} e-mails "
            f"and {run.text_messages:,} text messages written. Sending them in one process: "
            f"{sent:.1f} s, {counter.count - queries:,} queries, {delivery.sent:,} sent "
            f"({len(mail.outbox):,} e-mails, {len(sms.outbox):,} texts; "
            f"{1000 * sent / max(messages, 1):.1f} ms each)"
        )


def main_existing():
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DEBUG", "1")
    os.environ["SMS_BACKEND"] = "sms.backends.locmem.SmsBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from centres.scoping import all_centres_scope
    from placements.models import OPEN_FOLLOW_UP_STATES, FollowUp, FollowUpStatus, Reminder

    setup_test_environment()  # e-mails to mail.outbox
    with all_centres_scope():
        staff_everywhere()
        Reminder.objects.all().delete()  # as if no sweep had ever run
        reset = FollowUp.objects.filter(status__in=OPEN_FOLLOW_UP_STATES).update(
            status=FollowUpStatus.SCHEDULED
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"programme: {FollowUp.objects.count():,} follow-ups, {reset:,} open ones reset")
        sweep_twice(connection, timezone.localdate())


def main():
    args = parse_args()
    if args.existing:
        main_existing()
        return
    with tempfile.TemporaryDirectory() as folder:
        connection = set_up_django(Path(folder), SMS_BACKEND="sms.backends.locmem.SmsBackend")
        from django.utils import timezone

        from centres.scoping import all_centres_scope
        from placements.models import FollowUp

        today = timezone.localdate()
        with all_centres_scope():
            centres, staff = build(args.placements, args.centres, today)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            total = FollowUp.objects.count()
            print(f"programme: {args.placements:,} placements, {total:,} follow-ups")
            sweep_twice(connection, today)
            time_suggestions(centres[0], staff[0])
        tear_down(connection)


if __name__ == "__main__":
    main()
