from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

from hami.money import (
    NotWholeRials,
    format_amount,
    format_money,
    parse_money,
    rials_to_display,
    tomans_to_rials,
    unit_name,
)
from hami.text import to_latin_digits

LRM = "\u200e"


def in_english(function, *args, **kwargs):
    with translation.override("en"):
        return function(*args, **kwargs)


def in_persian(function, *args, **kwargs):
    with translation.override("fa"):
        return function(*args, **kwargs)


def test_english_shows_tomans_with_comma_grouping_and_the_unit():
    assert in_english(format_money, 125_000_000, unit="toman") == "12,500,000 toman"


def test_persian_shows_persian_digits_and_the_persian_thousands_separator():
    with translation.override("fa"):
        assert format_money(125_000_000, unit="toman") == f"۱۲٬۵۰۰٬۰۰۰ {gettext('toman')}"
        assert format_money(1_250, unit="rial") == f"۱٬۲۵۰ {gettext('rial')}"


def test_the_unit_defaults_to_the_setting(settings):
    settings.HAMI_MONEY_UNIT = "rial"
    assert in_english(format_money, 15_000) == "15,000 rial"
    settings.HAMI_MONEY_UNIT = "toman"
    assert in_english(format_money, 15_000) == "1,500 toman"


def test_none_is_a_dash():
    assert format_money(None) == "—"


def test_zero_is_shown():
    assert in_english(format_money, 0, unit="toman") == "0 toman"
    assert in_persian(format_amount, 0) == "۰"


@pytest.mark.parametrize(
    ("rials", "tomans"),
    [(14, "1"), (15, "2"), (19, "2"), (10, "1"), (4, "0"), (5, "1"), (1_234_565, "123,457")],
)
def test_tomans_are_rounded_half_up_to_whole_tomans(rials, tomans):
    assert in_english(format_amount, rials, unit="toman") == tomans


def test_negative_amounts_keep_their_sign_and_round_symmetrically():
    assert in_english(format_money, -15_000, unit="toman") == "-1,500 toman"
    assert in_english(format_amount, -15, unit="toman") == "-2"
    assert in_english(format_amount, -4, unit="toman") == "0"


def test_persian_negative_amounts_keep_the_minus_on_the_left_of_the_digits():
    assert in_persian(format_amount, -15_000, unit="toman") == f"{LRM}-۱٬۵۰۰"


def test_decimal_amounts_are_rounded_to_whole_rials_first():
    assert in_english(format_amount, Decimal("149.5"), unit="rial") == "150"


def test_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError):
        format_money(10, unit="dollar")


def test_unit_name_follows_the_setting(settings):
    settings.HAMI_MONEY_UNIT = "rial"
    assert in_english(unit_name) == "rial"


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_grouping_never_changes_the_number(rials):
    english = in_english(format_amount, rials, unit="rial")
    persian = in_persian(format_amount, rials, unit="rial")
    assert int(english.replace(",", "")) == rials
    assert int(to_latin_digits(persian.replace("٬", "").replace(LRM, ""))) == rials


@pytest.mark.parametrize(
    ("typed", "rials"),
    [
        (1500, 15_000),
        ("1500", 15_000),
        ("1,500,000", 15_000_000),
        ("۱٬۵۰۰٬۰۰۰", 15_000_000),
        (" ۱۵۰۰ ", 15_000),
        ("1500.5", 15_005),
        ("۱۵۰۰٫۵", 15_005),
        (Decimal("12.3"), 123),
        ("-20", -200),
        ("0", 0),
    ],
)
def test_tomans_typed_by_people_become_rials(typed, rials):
    assert tomans_to_rials(typed) == rials


@pytest.mark.parametrize("typed", ["", "abc", "12a", "1.2.3", "--5", True, Decimal("NaN")])
def test_anything_but_a_number_of_tomans_is_refused(typed):
    with pytest.raises(ValueError):
        tomans_to_rials(typed)


def test_a_fraction_of_a_rial_is_refused():
    with pytest.raises(NotWholeRials):
        tomans_to_rials("1.25")


def test_parse_money_reads_the_display_unit():
    assert parse_money("1,500", unit="toman") == 15_000
    assert parse_money("1,500", unit="rial") == 1_500
    with pytest.raises(NotWholeRials):
        parse_money("1.5", unit="rial")


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["toman", "rial"]))
def test_display_value_reads_back_as_the_same_rials(rials, unit):
    assert parse_money(rials_to_display(rials, unit=unit), unit=unit) == rials
