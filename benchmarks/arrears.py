"""How long the nightly arrears update takes (`loans.arrears.update_arrears`) over a national
portfolio: by default 100,000 active loans of 30 installments (3,000,000 rows).

Loans are written straight into the tables (bulk inserts, not the services: this measures
the update, not the making): ten centres, each loan with its schedule, most paid up to
date, one in eight behind by 1 to 400 days, one in a hundred with a hardship pause. Then
the update runs as of a day, twice (the second is what every later night looks like: few
rows change), with the number of queries.

    DEBUG=1 .venv/bin/python benchmarks/arrears.py --loans 10000            # SQLite, temp file
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1/hami \\
        .venv/bin/python benchmarks/arrears.py                              # PostgreSQL, 100k

On PostgreSQL the script works in a throw-away database `test_<name>` (Django's test
database), never in the database named by DATABASE_URL.
"""

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _django import QueryCounter, set_up_django, tear_down

BATCH = 5_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--installments", type=int, default=30, help="per loan")
    return parser.parse_args()


def build_portfolio(loans: int, per_loan: int, today: date):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from centres.models import Centre, Province
    from clients.models import Client
    from hami.jalali import add_months
    from loans.models import (
        BusinessPlan,
        CreditLine,
        HardshipPause,
        Installment,
        LoanApplication,
        LoanProduct,
        State,
    )

    rng = random.Random(1403)
    User = get_user_model()
    staff, approver, disburser = (
        User.objects.create(username=name) for name in ("b.staff", "b.approver", "b.disburser")
    )
    province = Province.objects.order_by("code").first()
    centres = [
        Centre.objects.create(
            code=f"BEN-{n:02d}", name=f"مرکز {n}", province=province, city="تهران"
        )
        for n in range(10)
    ]
    product = LoanProduct.objects.create(
        name="bench", annual_rate=0, min_amount=1, max_amount=10**12, max_term_months=240
    )
    line = CreditLine.objects.create(
        bank="bank",
        reference="BENCH",
        fiscal_year=1403,
        total_amount=10**15,
        valid_from=date(2000, 1, 1),
        valid_to=date(2099, 1, 1),
    )
    now = timezone.now()
    made = 0
    started = time.perf_counter()
    while made < loans:
        size = min(BATCH, loans - made)
        numbers = range(made, made + size)
        clients = Client.objects.bulk_create(
            Client(
                centre=centres[n % 10],
                id_number=f"{n:010d}",
                welfare_file_number=f"BEN-{n}",
                first_name="زهرا",
                last_name=f"احمدی {n}",
                gender="female",
                birth_date=date(1990, 1, 1),
                province=province,
                city="تهران",
                category="other",
                education="diploma",
                consent_recorded_at=now,
                created_by=staff,
            )
            for n in numbers
        )
        plans = BusinessPlan.objects.bulk_create(
            BusinessPlan(
                client=client,
                title="plan",
                activity="x",
                premises="home_based",
                monthly_revenue=2,
                monthly_costs=1,
                created_by=staff,
            )
            for client in clients
        )
        applications, schedules = [], []
        for plan in plans:
            disbursed_on = today - timedelta(days=rng.randrange(60, 900))
            first_due = add_months(disbursed_on, 1)
            applications.append(
                LoanApplication(
                    plan=plan,
                    client=plan.client,
                    centre=plan.client.centre,
                    product=product,
                    state=State.REPAYING,
                    term_months=per_loan,
                    amount=per_loan * 1_000_000,
                    requested_amount=per_loan * 1_000_000,
                    approved_amount=per_loan * 1_000_000,
                    credit_line=line,
                    approved_by=approver,
                    disbursed_by=disburser,
                    disbursed_on=disbursed_on,
                    first_due_on=first_due,
                    created_by=staff,
                )
            )
            behind = rng.random() < 0.125
            schedules.append((first_due, behind, rng.randrange(1, 400) if behind else 0))
        applications = LoanApplication.objects.bulk_create(applications)
        installments, pauses = [], []
        for application, (first_due, behind, days_behind) in zip(
            applications, schedules, strict=True
        ):
            paid_until = today - timedelta(days=days_behind) if behind else today
            for number in range(per_loan):
                due_on = add_months(first_due, number)
                paid = due_on <= paid_until
                installments.append(
                    Installment(
                        loan=application,
                        number=number + 1,
                        due_on=due_on,
                        principal_due=1_000_000,
                        interest_due=0,
                        principal_paid=1_000_000 if paid else 0,
                        paid_on=due_on if paid else None,
                    )
                )
            if rng.random() < 0.01:
                pauses.append(
                    HardshipPause(
                        loan=application,
                        reason="illness",
                        note="x",
                        starts_on=today - timedelta(days=20),
                        ends_on=today + timedelta(days=40),
                        granted_by=staff,
                    )
                )
        Installment.objects.bulk_create(installments, batch_size=BATCH)
        HardshipPause.objects.bulk_create(pauses)
        made += size
        print(f"  {made:,} loans written ({time.perf_counter() - started:.0f} s)", flush=True)
    return Installment.objects.count()


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as folder:
        connection = set_up_django(Path(folder))
        from django.utils import timezone

        from centres.scoping import all_centres_scope
        from loans.arrears import update_arrears

        today = timezone.localdate()
        with all_centres_scope():
            installments = build_portfolio(args.loans, args.installments, today)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(f"portfolio: {args.loans:,} loans, {installments:,} installments")
            for night in ("first run", "second run, same day"):
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    started = time.perf_counter()
                    run = update_arrears(on=today)
                    elapsed = time.perf_counter() - started
                print(
                    f"{night}: {elapsed:.1f} s, {counter.count} queries; {run.loans:,} active, "
                    f"{run.in_arrears:,} in arrears, {run.paused:,} paused, "
                    f"{len(run.defaulted):,} defaulted, {run.follow_ups_opened:,} follow-ups"
                )
        tear_down(connection)


if __name__ == "__main__":
    main()
