from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from hami.jalali import (
    InvalidJalaliDate,
    add_months,
    days_in_month,
    display_date,
    format_jalali,
    from_jalali,
    is_leap_year,
    jalali_month_name,
    parse_jalali,
    to_jalali,
)

# Dates Hami meets: births in the 1950s to schedules decades ahead.
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (date(2024, 8, 3), (1403, 5, 13)),
        (date(2025, 3, 20), (1403, 12, 30)),  # 1403 is a leap year
        (date(2025, 3, 21), (1404, 1, 1)),  # Nowruz
        (date(2024, 3, 20), (1403, 1, 1)),
        (date(1979, 2, 11), (1357, 11, 22)),
    ],
)
def test_known_dates_convert_both_ways(gregorian, jalali):
    j = to_jalali(gregorian)
    assert (j.year, j.month, j.day) == jalali
    assert from_jalali(*jalali) == gregorian


def test_a_datetime_converts_by_its_calendar_date():
    assert format_jalali(datetime(2024, 8, 3, 23, 59)) == "1403/05/13"


def test_format_jalali_pads_month_and_day_with_latin_digits():
    assert format_jalali(date(2024, 3, 20)) == "1403/01/01"


@pytest.mark.parametrize(
    ("year", "leap"), [(1399, True), (1403, True), (1404, False), (1407, False), (1408, True)]
)
def test_leap_years_follow_the_official_calendar(year, leap):
    assert is_leap_year(year) is leap
    assert days_in_month(year, 12) == (30 if leap else 29)


def test_month_lengths_are_31_for_the_first_half_and_30_after():
    assert [days_in_month(1404, m) for m in range(1, 12)] == [31] * 6 + [30] * 5


def test_month_names_follow_the_language():
    assert jalali_month_name(1, "fa") == "فروردین"
    assert jalali_month_name(12, "en") == "Esfand"
    with translation.override("fa"):
        assert jalali_month_name(7) == "مهر"


def test_from_jalali_refuses_impossible_dates():
    for impossible in [(1404, 12, 30), (1403, 13, 1), (1403, 0, 10), (1403, 7, 31), (1403, 1, 0)]:
        with pytest.raises(ValueError):
            from_jalali(*impossible)


@pytest.mark.parametrize(
    "text",
    [
        "1403/05/13",
        "1403-05-13",
        "1403/5/13",
        " 1403/05/13 ",
        "۱۴۰۳/۰۵/۱۳",
        "١٤٠٣/٠٥/١٣",
        "1403.05.13",
    ],
)
def test_parse_accepts_the_ways_people_type_a_date(text):
    assert parse_jalali(text) == date(2024, 8, 3)


def test_parse_accepts_single_digit_month_and_day():
    assert parse_jalali("1403/5/3") == from_jalali(1403, 5, 3)


def test_parse_ignores_bidi_marks_pasted_with_the_date():
    assert parse_jalali("\u200f۱۴۰۳/۰۵/۱۳\u200e") == date(2024, 8, 3)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1404/12/30", "not_leap_year"),
        ("1403/13/01", "invalid_month"),
        ("1403/00/10", "invalid_month"),
        ("1403/07/31", "invalid_day"),
        ("1403/05/00", "invalid_day"),
        ("garbage", "invalid"),
        ("", "invalid"),
        ("1403/05", "invalid"),
        ("1403/05-13", "invalid"),
        ("1403/005/13", "invalid"),
        ("13/05/1403", "year_last"),
        ("03/05/13", "short_year"),
        ("0000/01/01", "invalid_year"),
    ],
)
def test_parse_refuses_with_the_reason(text, code):
    with pytest.raises(InvalidJalaliDate) as refused:
        parse_jalali(text)
    assert refused.value.code == code


def test_esfand_30_in_non_leap_year_is_refused_naming_the_year():
    with translation.override("en"), pytest.raises(ValueError) as refused:
        parse_jalali("1404/12/30")
    assert str(refused.value) == "1404 has no 30 Esfand: this year's Esfand has 29 days."


def test_day_past_the_month_end_names_the_month_and_its_length():
    with translation.override("en"), pytest.raises(ValueError) as refused:
        parse_jalali("1403/07/31")
    assert str(refused.value) == "Mehr has 30 days, so the day must be between 1 and 30."


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((1403, 5, 13), 0, (1403, 5, 13)),
        ((1403, 5, 13), 1, (1403, 6, 13)),
        ((1403, 6, 31), 1, (1403, 7, 30)),  # Mehr has 30 days
        ((1403, 11, 30), 1, (1403, 12, 30)),  # 1403 is leap: Esfand 30 exists
        ((1404, 11, 30), 1, (1404, 12, 29)),  # 1404 is not
        ((1403, 12, 30), 12, (1404, 12, 29)),
        ((1403, 10, 15), 3, (1404, 1, 15)),  # year rollover
        ((1403, 5, 13), 12, (1404, 5, 13)),
        ((1403, 5, 13), 25, (1405, 6, 13)),
        ((1403, 2, 10), -3, (1402, 11, 10)),  # backwards over the new year
        ((1403, 7, 30), -1, (1403, 6, 30)),
        ((1403, 1, 31), -1, (1402, 12, 29)),  # 1402 is not leap
    ],
)
def test_add_months_steps_jalali_months_clamping_the_day(start, months, expected):
    assert add_months(from_jalali(*start), months) == from_jalali(*expected)


@given(dates)
def test_round_trip_through_jalali_returns_the_same_date(d):
    j = to_jalali(d)
    assert from_jalali(j.year, j.month, j.day) == d
    assert parse_jalali(format_jalali(d)) == d


@given(dates)
def test_consecutive_days_stay_consecutive_in_jalali(d):
    today, tomorrow = to_jalali(d), to_jalali(d + timedelta(days=1))
    if tomorrow.day == 1:
        assert today.day == days_in_month(today.year, today.month)
    else:
        assert (tomorrow.year, tomorrow.month, tomorrow.day) == (
            today.year,
            today.month,
            today.day + 1,
        )


@given(dates, st.integers(min_value=-240, max_value=240))
def test_add_months_then_back_returns_the_date_unless_the_day_was_clamped(d, n):
    moved = add_months(d, n)
    if to_jalali(moved).day == to_jalali(d).day:
        assert add_months(moved, -n) == d


@given(dates, st.integers(min_value=-240, max_value=240))
def test_add_months_lands_in_the_month_n_months_away(d, n):
    start, moved = to_jalali(d), to_jalali(add_months(d, n))
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == n
    assert moved.day == min(start.day, days_in_month(moved.year, moved.month))


@given(dates)
def test_parse_accepts_persian_digits(d):
    persian = format_jalali(d).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert parse_jalali(persian) == d


def test_display_date_is_jalali_with_persian_digits_in_persian_and_iso_in_english():
    with translation.override("fa"):
        assert display_date(date(2024, 8, 3)) == "۱۴۰۳/۰۵/۱۳"
    with translation.override("en"):
        assert display_date(date(2024, 8, 3)) == "2024-08-03"


def test_display_date_shows_aware_datetimes_in_tehran_time():
    late_evening_utc = datetime(2024, 8, 3, 21, 0, tzinfo=UTC)  # 00:30 on 4 August in Tehran
    with translation.override("en"):
        assert display_date(late_evening_utc, with_time=True) == "2024-08-04 00:30"
    with translation.override("fa"):
        assert display_date(late_evening_utc) == "۱۴۰۳/۰۵/۱۴"
