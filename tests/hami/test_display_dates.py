"""Showing a date never breaks a page: dates the Jalali calendar cannot write (a typing
slip, a hostile file) are shown as the Gregorian dates they are."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from hami.jalali import display_date


def render(source, language, **context):
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "english", "persian"),
    [
        (date(9999, 12, 31), "9999-12-31", "۹۹۹۹-۱۲-۳۱ (میلادی)"),
        (date(1, 1, 1), "0001-01-01", "۰۰۰۱-۰۱-۰۱ (میلادی)"),
        (date(622, 3, 21), "0622-03-21", "۰۰۰۱/۰۱/۰۱"),  # the first Jalali day
        (date(622, 3, 20), "0622-03-20", "۰۶۲۲-۰۳-۲۰ (میلادی)"),
        (date(9999, 3, 20), "9999-03-20", "۹۳۷۷/۱۲/۳۰"),  # the last one
        (date(9999, 3, 21), "9999-03-21", "۹۹۹۹-۰۳-۲۱ (میلادی)"),
    ],
)
def test_dates_at_and_past_the_edges_of_the_jalali_calendar(value, english, persian):
    assert render("{{ d|jdate }}", "en", d=value) == english
    assert render("{{ d|jdate }}", "fa", d=value) == persian
    with translation.override("fa"):
        assert display_date(value) == persian


def test_a_datetime_at_the_end_of_time_is_shown_as_stored():
    """Tehran is ahead of UTC: the last hour of 9999 in UTC has no local time in Python."""
    at = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    assert render('{{ at|jdate:"datetime" }}', "en", at=at) == "9999-12-31 23:00"
    assert render('{{ at|jdate:"datetime" }}', "fa", at=at) == "۹۹۹۹-۱۲-۳۱ ۲۳:۰۰ (میلادی)"


def test_the_first_datetime_python_holds_is_shown_in_local_time():
    at = datetime(1, 1, 1, tzinfo=UTC) + timedelta(hours=1)
    assert render('{{ at|jdate:"datetime" }}', "en", at=at).startswith("0001-01-01 04:")
    assert render("{{ at|jdate }}", "fa", at=at) == "۰۰۰۱-۰۱-۰۱ (میلادی)"
