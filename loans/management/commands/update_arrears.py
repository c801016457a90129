"""`manage.py update_arrears [--date YYYY-MM-DD]`: the daily arrears task's work, now."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from loans.tasks import update_arrears


class Command(BaseCommand):
    help = "Update days past due, defaults and arrears follow-ups as of a day (today by default)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to work as of, YYYY-MM-DD")

    def handle(self, *args, date: str | None = None, **options):
        if date is not None:
            try:
                _check(date)
            except ValueError as error:
                raise CommandError(f"--date {date!r} is not a date like 2024-08-03.") from error
        outcome = update_arrears.run(on=date)
        self.stdout.write(
            f"Arrears as of {outcome['on']}: {outcome['loans']} active loans, "
            f"{outcome['in_arrears']} in arrears, {outcome['defaulted']} defaulted, "
            f"{outcome['follow_ups_opened']} follow-ups opened."
        )


def _check(text: str) -> None:
    date.fromisoformat(text)
