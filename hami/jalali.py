"""Jalali (Solar Hijri) calendar at the edges of Hami: conversion, parsing, month arithmetic.

Dates are stored and computed as Gregorian `datetime.date`; this module converts them for
people and steps whole Jalali months for schedules (installments, follow-ups).
"""

import contextlib
import re
from datetime import date, datetime

import jdatetime
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from hami.text import (
    is_persian,
    localise_digits_lazy,
    normalise_text,
    to_latin_digits,
    to_persian_digits,
)

MIN_YEAR = jdatetime.MINYEAR
MAX_YEAR = jdatetime.MAXYEAR
ESFAND = 12

_MONTH_LENGTHS = (31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 29)  # Esfand: 30 in leap years
# Year, month, day separated by /, -, . or the Persian decimal separator ٫ (the key Persian
# keyboards offer for dates); the parts are checked one by one for a precise message.
_DATE = re.compile(r"([0-9]+)\s*([/\-.٫])\s*([0-9]+)\s*\2\s*([0-9]+)")


class InvalidJalaliDate(ValueError):
    """A Jalali date that cannot be, with the reason in words a person can act on.

    `message` is translatable and may hold `%(name)s` placeholders filled from `params`;
    `code` names the reason. A form field turns it into a `ValidationError` unchanged.
    """

    def __init__(self, message: Promise, *, code: str, params: dict | None = None):
        self.message = message
        self.code = code
        self.params = params or {}
        super().__init__(str(message) % self.params if self.params else str(message))


def is_leap_year(year: int) -> bool:
    """Whether the Jalali `year` has 30 days in Esfand."""
    return jdatetime.date(year, 1, 1).isleap()


def days_in_month(year: int, month: int) -> int:
    """How many days Jalali `month` (1–12) of `year` has."""
    if month == ESFAND and is_leap_year(year):
        return 30
    return _MONTH_LENGTHS[month - 1]


def jalali_month_name(month: int, language: str | None = None) -> str:
    """The month's name, in Persian (فروردین) or transliterated (Farvardin).

    `language` defaults to the active language; anything but Persian gets the
    transliteration.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"There is no Jalali month {month}.")
    names = jdatetime.date.j_months_fa if is_persian(language) else jdatetime.date.j_months_en
    return names[month - 1]


# For message parameters, which take the language the message is shown in.
_month_name_lazy = lazy(jalali_month_name, str)


def to_jalali(d: date) -> jdatetime.date:
    """The Jalali date of the Gregorian date `d` (a datetime gives its own calendar date)."""
    if isinstance(d, datetime):
        d = d.date()
    return jdatetime.date.fromgregorian(date=d)


def _check(year: int, month: int, day: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidJalaliDate(
            _("The year must be between %(min)s and %(max)s."),
            code="invalid_year",
            params={
                "min": localise_digits_lazy(str(MIN_YEAR)),
                "max": localise_digits_lazy(str(MAX_YEAR)),
            },
        )
    if not 1 <= month <= 12:
        raise InvalidJalaliDate(_("Month must be between 1 and 12."), code="invalid_month")
    length = days_in_month(year, month)
    if month == ESFAND and day == 30 and length == 29:
        raise InvalidJalaliDate(
            _("%(year)s has no 30 Esfand: this year's Esfand has 29 days."),
            code="not_leap_year",
            params={"year": localise_digits_lazy(str(year))},
        )
    if not 1 <= day <= length:
        raise InvalidJalaliDate(
            _("%(month)s has %(days)s days, so the day must be between 1 and %(days)s."),
            code="invalid_day",
            params={"month": _month_name_lazy(month), "days": localise_digits_lazy(str(length))},
        )


def from_jalali(year: int, month: int, day: int) -> date:
    """The Gregorian date of Jalali year/month/day; `InvalidJalaliDate` (a ValueError) if
    there is no such day."""
    _check(year, month, day)
    return jdatetime.date(year, month, day).togregorian()


def parse_jalali(text: str) -> date:
    """Read a Jalali date typed by a person: `1403/05/13`, `1403-5-3`, `۱۴۰۳/۰۵/۱۳`…

    Persian, Arabic-Indic or Latin digits; `/`, `-`, `.` or `٫` between the parts; spaces
    around. Raises `InvalidJalaliDate` (a ValueError) saying what is wrong.
    """
    cleaned = to_latin_digits(normalise_text(text))
    match = _DATE.fullmatch(cleaned)
    if not match:
        raise InvalidJalaliDate(_("Enter a date like 1403/05/13."), code="invalid")
    year_text, _separator, month_text, day_text = match.groups()
    if len(day_text) == 4 and len(year_text) <= 2:
        raise InvalidJalaliDate(
            _("Write the year first, then the month and the day, like 1403/05/13."),
            code="year_last",
        )
    if len(year_text) != 4:
        raise InvalidJalaliDate(
            _("Write the year with four digits, like 1403/05/13."), code="short_year"
        )
    if len(month_text) > 2 or len(day_text) > 2:
        raise InvalidJalaliDate(_("Enter a date like 1403/05/13."), code="invalid")
    return from_jalali(int(year_text), int(month_text), int(day_text))


def format_jalali(d: date) -> str:
    """`1403/05/13`, with Latin digits (what the date picker reads; display code localises)."""
    j = to_jalali(d)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


def add_months(d: date, n: int) -> date:
    """`d` moved by `n` Jalali months (n may be 0 or negative), keeping the Jalali day.

    The day is clamped to the target month's length: 1403/06/31 + 1 month is 1403/07/30,
    and 1403/11/30 + 1 month is 1403/12/30 in a leap year, 1404/12/29 otherwise.
    """
    j = to_jalali(d)
    year, month_index = divmod(j.year * 12 + (j.month - 1) + n, 12)
    month = month_index + 1
    return from_jalali(year, month, min(j.day, days_in_month(year, month)))


def display_date(value: date, *, with_time: bool = False) -> str:
    """A date as people read it in the active language: `۱۴۰۳/۰۵/۱۳` in Persian (Jalali,
    Persian digits), `2024-08-03` in English. An aware datetime is first turned into local
    time; `with_time` adds its `HH:MM`.

    Never raises for a date Python can hold: a date the Jalali calendar cannot write (before
    622 or after March 9999, as a typing slip or a hostile file may give) is shown in
    Persian as the Gregorian date it is, marked so, and a datetime too close to the edge of
    Python's range to move into local time is shown as it is stored."""
    time = ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            with contextlib.suppress(OverflowError):
                value = timezone.localtime(value)
        if with_time:
            time = value.strftime(" %H:%M")
        value = value.date()
    if not is_persian():
        return value.isoformat() + time
    try:
        jalali = format_jalali(value)
    except ValueError:
        return _("%(date)s (Gregorian)") % {"date": to_persian_digits(value.isoformat() + time)}
    return to_persian_digits(jalali + time)
