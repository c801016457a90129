"""`manage.py sweep_follow_ups [--date YYYY-MM-DD]`: the daily follow-up sweep, the same
work as the Celery beat task of the same name (placements/sweep.py). Safe to run twice."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from centres.scoping import all_centres_scope
from placements.sweep import sweep_follow_ups


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--date takes a Gregorian date as YYYY-MM-DD, not {value!r}."
        ) from error


class Command(BaseCommand):
    help = (
        "Move follow-ups into due and overdue, send the day's digests, escalations and "
        "text messages. --date runs it as of another day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_day, help="the day to sweep as of (YYYY-MM-DD)")

    def handle(self, *args, date=None, **options):
        today = timezone.localdate()
        day = date or today
        # As of another day, the moment recorded is that day's morning (07:00 local).
        at = timezone.now() if day == today else timezone.make_aware(datetime.combine(day, time(7)))
        with all_centres_scope():  # a network-wide sweep, on purpose
            run = sweep_follow_ups(on=day, at=at)
        result = run.as_dict()
        self.stdout.write(" · ".join(f"{key}: {value}" for key, value in result.items()))
        if run.delivery.failed:
            raise CommandError(
                f"{run.delivery.failed} reminders could not be sent; they stay pending and "
                "the next run tries them again."
            )
