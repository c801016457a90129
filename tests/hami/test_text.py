import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from hami.text import (
    clean_text,
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


# Multi-line text (an address, notes) keeps its lines.


def test_multiline_text_keeps_its_line_breaks_and_tidies_each_line():
    typed = "  خیابان آزادی،  کوچه ۱۲ \r\nپلاک ۳\r\n\r\n\r\n\r\nطبقه دوم  \n"
    assert normalise_text(typed, multiline=True) == "خیابان آزادی، کوچه ۱۲\nپلاک ۳\n\nطبقه دوم"


def test_single_line_text_still_joins_lines_into_one():
    assert normalise_text("خیابان آزادی\nپلاک ۳") == "خیابان آزادی پلاک ۳"


# What every form field reads: `clean_text`.


@pytest.mark.parametrize(
    "control", ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\x9b", "\x0b", "\x0c"]
)
def test_control_characters_are_refused_with_a_message(control):
    with pytest.raises(ValidationError) as refused:
        clean_text(f"مریم{control}رضایی")
    assert refused.value.code == "control_character"
    with translation.override("en"):
        assert "control character" in refused.value.messages[0]


@pytest.mark.parametrize("multiline", [False, True])
def test_tabs_and_line_breaks_are_white_space_not_control_characters(multiline):
    assert clean_text("مریم\tرضایی\r\n", multiline=multiline) == "مریم رضایی"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\ufeff", "\u200b\u200c\ufeff \u2060"])
def test_text_of_only_invisible_characters_is_empty(invisible):
    assert clean_text(invisible) == ""


def test_the_zwnj_inside_a_persian_word_is_kept():
    assert clean_text(f" می{ZWNJ}شود ") == f"می{ZWNJ}شود"
