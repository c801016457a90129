"""Text normalisation for Persian input: digits, Arabic letters and invisible characters."""

import re
import unicodedata

from django.utils.functional import lazy
from django.utils.translation import get_language

ZWNJ = "\u200c"
PERSIAN_THOUSANDS_SEPARATOR = "\u066c"  # ٬

_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN = str.maketrans("0123456789٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹")
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
# Characters that change nothing a reader sees but break searching and uniqueness: zero-width
# space, byte-order mark, word joiner, soft hyphen, tatweel (kashida), and the bidi marks
# and embeddings that phones and spreadsheets paste along with text. ZWJ is kept: emoji use it.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\ufeff\u2060\u00ad\u0640\u200e\u200f\u061c"
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
)
_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")
_SPACES = re.compile(r"\s+")


def to_latin_digits(value: str) -> str:
    """Persian (۰–۹) and Arabic-Indic (٠–٩) digits become 0–9; everything else is kept."""
    return value.translate(_TO_LATIN)


def to_persian_digits(value: str) -> str:
    """Latin (0–9) and Arabic-Indic (٠–٩) digits become Persian ۰–۹; everything else is kept."""
    return value.translate(_TO_PERSIAN)


def localise_digits(value: str, language: str | None = None) -> str:
    """Digits as the language writes them: Persian digits in Persian, otherwise unchanged."""
    return to_persian_digits(value) if is_persian(language) else value


# For message parameters: the digits take the language the message is finally shown in.
localise_digits_lazy = lazy(localise_digits, str)


def format_number(number: int, language: str | None = None) -> str:
    """A whole number grouped by thousands in the language's digits: `10,000`, `۱۰٬۰۰۰`."""
    grouped = f"{number:,}"
    if is_persian(language):
        return to_persian_digits(grouped.replace(",", PERSIAN_THOUSANDS_SEPARATOR))
    return grouped


format_number_lazy = lazy(format_number, str)


def is_persian(language: str | None = None) -> bool:
    """Whether `language` (by default the active language) is Persian."""
    language = language or get_language() or ""
    return language.lower().split("-")[0] == "fa"


def remove_invisible(value: str) -> str:
    """Drop invisible characters (see `_INVISIBLE`); ZWNJ is handled by `normalise_text`."""
    return value.translate(_INVISIBLE)


def _joins(char: str) -> bool:
    # A letter, or a combining mark (a vowel sign sits on the letter before it).
    return unicodedata.category(char)[0] in "LM"


def _tidy_zwnj(value: str) -> str:
    """Keep one ZWNJ between two letters (می‌خواهم); drop it anywhere else."""
    value = _ZWNJ_RUN.sub(ZWNJ, value)
    if ZWNJ not in value:
        return value
    kept = []
    last = len(value) - 1
    for index, char in enumerate(value):
        if char == ZWNJ and not (
            0 < index < last and _joins(value[index - 1]) and _joins(value[index + 1])
        ):
            continue
        kept.append(char)
    return "".join(kept)


def normalise_text(value: str) -> str:
    """Text as Hami stores it, so the same name typed on two keyboards compares equal.

    Arabic ي/ى/ك become Persian ی/ک; invisible characters (zero-width space, BOM, tatweel,
    bidi marks) are dropped; a ZWNJ is kept only between two letters, where it is part of
    Persian spelling (می‌خواهم), and dropped at the edges of words and when doubled; runs of
    white space become one space and the edges are stripped. Digits are left alone.
    """
    value = remove_invisible(value.translate(_ARABIC_LETTERS))
    value = _tidy_zwnj(value)
    return _SPACES.sub(" ", value).strip()
