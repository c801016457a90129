"""Reporting periods in the Jalali calendar: a year, a quarter, a month, or any span of
days. Periods are whole days, `first` to `last` inclusive; queries on datetime fields take
`bounds()`, the local midnights that enclose them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from hami.jalali import days_in_month, from_jalali, jalali_month_name, to_jalali
from hami.text import localise_digits


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, inclusive; both None for all time."""

    first: date | None = None
    last: date | None = None
    label: str = ""

    @property
    def is_all_time(self) -> bool:
        return self.first is None and self.last is None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """Local midnight at the start of `first` and after `last`: [start, end)."""
        start = _midnight(self.first) if self.first else None
        end = _midnight(self.last + timedelta(days=1)) if self.last else None
        return start, end

    def datetime_lookup(self, field: str) -> dict:
        """Filter keyword arguments selecting `field` (a datetime) inside the period."""
        start, end = self.bounds()
        lookup = {}
        if start is not None:
            lookup[f"{field}__gte"] = start
        if end is not None:
            lookup[f"{field}__lt"] = end
        return lookup

    def date_lookup(self, field: str) -> dict:
        """Filter keyword arguments selecting `field` (a date) inside the period."""
        lookup = {}
        if self.first is not None:
            lookup[f"{field}__gte"] = self.first
        if self.last is not None:
            lookup[f"{field}__lte"] = self.last
        return lookup


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _year_text(year: int) -> str:
    return localise_digits(str(year))


def jalali_year(year: int) -> Period:
    first = from_jalali(year, 1, 1)
    last = from_jalali(year + 1, 1, 1) - timedelta(days=1)
    return Period(first, last, _("Year %(year)s") % {"year": _year_text(year)})


def jalali_quarter(year: int, quarter: int) -> Period:
    """Quarter 1 is Farvardin to Khordad (spring), 4 is Dey to Esfand."""
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    first = from_jalali(year, first_month, 1)
    last = from_jalali(year, last_month, days_in_month(year, last_month))
    label = _("Quarter %(quarter)s of %(year)s") % {
        "quarter": localise_digits(str(quarter)),
        "year": _year_text(year),
    }
    return Period(first, last, label)


def jalali_month(year: int, month: int) -> Period:
    first = from_jalali(year, month, 1)
    last = from_jalali(year, month, days_in_month(year, month))
    return Period(first, last, f"{jalali_month_name(month)} {_year_text(year)}")


def month_of(day: date) -> tuple[int, int]:
    j = to_jalali(day)
    return j.year, j.month


def quarter_of(day: date) -> tuple[int, int]:
    j = to_jalali(day)
    return j.year, (j.month - 1) // 3 + 1


def months_back(last_day: date, count: int) -> list[Period]:
    """The `count` Jalali months ending with the month of `last_day`, oldest first."""
    year, month = month_of(last_day)
    index = year * 12 + month - 1
    return [jalali_month(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def months_in(period: Period, *, today: date, limit: int = 36) -> list[Period]:
    """The Jalali months a period covers (at most `limit`, the latest ones); for all time,
    the twelve months up to today's."""
    if period.is_all_time:
        return months_back(today, 12)
    last = min(period.last or today, today)
    first = period.first or last
    if first > last:  # a period still to come: its own months
        last = period.last or first
    first_year, first_month = month_of(first)
    last_year, last_month = month_of(last)
    count = (last_year * 12 + last_month) - (first_year * 12 + first_month) + 1
    return months_back(last, max(1, min(count, limit)))


def quarters_back(last_day: date, count: int) -> list[Period]:
    """The `count` Jalali quarters ending with the quarter of `last_day`, oldest first."""
    year, quarter = quarter_of(last_day)
    index = year * 4 + quarter - 1
    return [jalali_quarter(i // 4, i % 4 + 1) for i in range(index - count + 1, index + 1)]
