import pytest

from hami.text import (
    is_persian,
    localise_digits,
    normalise_text,
    to_latin_digits,
    to_persian_digits,
)

ZWNJ = "\u200c"


def test_persian_and_arabic_indic_digits_become_latin():
    assert to_latin_digits("۰۱۲۳۴۵۶۷۸۹ ٠١٢٣٤٥٦٧٨٩ abc") == "0123456789 0123456789 abc"


def test_latin_and_arabic_indic_digits_become_persian():
    assert to_persian_digits("0123456789 ٤٥٦ abc") == "۰۱۲۳۴۵۶۷۸۹ ۴۵۶ abc"


def test_localise_digits_changes_digits_only_in_persian():
    assert localise_digits("1403", "fa") == "۱۴۰۳"
    assert localise_digits("1403", "en") == "1403"
    assert is_persian("fa-ir")
    assert not is_persian("en-us")


def test_arabic_yeh_and_kaf_become_persian():
    assert normalise_text("علي كريمي") == "علی کریمی"
    assert normalise_text("موسى") == "موسی"


def test_white_space_is_collapsed_and_stripped():
    assert normalise_text("  زهرا \t\n  احمدی\u00a0 ") == "زهرا احمدی"


def test_zwnj_between_letters_is_kept():
    assert normalise_text(f"می{ZWNJ}خواهم") == f"می{ZWNJ}خواهم"
    assert normalise_text(f"کتاب{ZWNJ}ها") == f"کتاب{ZWNJ}ها"


def test_doubled_zwnj_becomes_one():
    assert normalise_text(f"می{ZWNJ}{ZWNJ}{ZWNJ}خواهم") == f"می{ZWNJ}خواهم"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"{ZWNJ}مریم", "مریم"),
        (f"مریم{ZWNJ}", "مریم"),
        (f"مریم{ZWNJ} رضایی", "مریم رضایی"),
        (f"مریم {ZWNJ}رضایی", "مریم رضایی"),
        (f"مریم {ZWNJ} رضایی", "مریم رضایی"),
        (f"۱۴۰۳{ZWNJ}ها", "۱۴۰۳ها"),
    ],
)
def test_zwnj_at_word_edges_is_dropped(typed, stored):
    assert normalise_text(typed) == stored


@pytest.mark.parametrize(
    "invisible", ["\u200b", "\ufeff", "\u0640", "\u200e", "\u200f", "\u00ad", "\u2060"]
)
def test_other_invisible_characters_are_dropped(invisible):
    assert normalise_text(f"{invisible}مح{invisible}مد{invisible}") == "محمد"


def test_tatweel_between_letters_and_zwnj_leaves_the_zwnj():
    assert normalise_text(f"می\u0640{ZWNJ}خواهم") == f"می{ZWNJ}خواهم"


def test_digits_are_left_as_typed():
    assert normalise_text("پلاک ۱۲ / 34") == "پلاک ۱۲ / 34"


def test_normalising_twice_changes_nothing():
    once = normalise_text(f" {ZWNJ}علي{ZWNJ}{ZWNJ}رضا\u200b  كاظمي ")
    assert normalise_text(once) == once
