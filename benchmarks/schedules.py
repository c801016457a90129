"""How long building loan schedules takes (`loans.schedule.build_schedule`): 10,000 of them.

A mix like the programme's: amounts of 1 to 50 million tomans, 12 to 60 months, 0 to 6
grace months, both amortisations, rates of 0 to 4%, first due dates spread over two years.
The first round runs with an empty due-date cache (every first due date new to it); the
next rounds are what a long-running worker sees. No database.

    DEBUG=1 .venv/bin/python benchmarks/schedules.py [--count 10000] [--rounds 3]
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from loans import schedule

    rng = random.Random(1403)
    loans = [
        (
            rng.randrange(1, 51) * 10_000_000,
            rng.choice([Decimal(0), Decimal("0.02"), Decimal("0.04")]),
            rng.choice([12, 18, 24, 36, 48, 60]),
            rng.randrange(0, 7),
            date(2024, 3, 20) + timedelta(days=rng.randrange(730)),
            rng.choice(["annuity", "equal_principal"]),
        )
        for _ in range(args.count)
    ]
    rows = sum(months + grace for _p, _r, months, grace, _d, _m in loans)
    schedule._due_date.cache_clear()
    for round_number in range(1, args.rounds + 1):
        started = time.perf_counter()
        for principal, rate, months, grace, first_due, method in loans:
            schedule.build_schedule(principal, rate, months, grace, first_due, method=method)
        elapsed = time.perf_counter() - started
        cache = "cold cache" if round_number == 1 else "warm cache"
        print(
            f"round {round_number} ({cache}): {args.count:,} schedules, {rows:,} rows "
            f"in {elapsed:.2f} s ({elapsed / args.count * 1e6:.0f} µs a schedule)"
        )


if __name__ == "__main__":
    main()
