"""Text normalisation for Persian input: digits, Arabic letters and invisible characters."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
# Line breaks a multi-line field keeps; any other white space is one space.
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")
# Control characters (C0 and C1, and DEL) have no place in what people type: they come from
# terminals, binary files and attacks. Tab and line breaks are white space, handled as such.
_WHITE_SPACE_CONTROLS = frozenset("\t\n\r")


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


def control_characters(value: str) -> list[str]:
    """The control characters in `value` (C0, DEL, C1), tab and line breaks aside."""
    return [
        char
        for char in value
        if unicodedata.category(char) == "Cc" and char not in _WHITE_SPACE_CONTROLS
    ]


def normalise_text(value: str, *, multiline: bool = False) -> str:
    """Text as Hami stores it, so the same name typed on two keyboards compares equal.

    Arabic ي/ى/ك become Persian ی/ک; invisible characters (zero-width space, BOM, tatweel,
    bidi marks) are dropped; a ZWNJ is kept only between two letters, where it is part of
    Persian spelling (می‌خواهم), and dropped at the edges of words and when doubled; runs of
    white space become one space and the edges are stripped. Digits are left alone.

    `multiline` (an address, notes) keeps the line breaks, as `\n`: each line is tidied
    on its own, and at most one empty line is kept between paragraphs.
    Control characters are not removed: `clean_text` refuses them.
    """
    value = remove_invisible(value.translate(_ARABIC_LETTERS))
    value = _tidy_zwnj(value)
    if not multiline:
        return _SPACES.sub(" ", value).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in _LINE_BREAKS.split(value)]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """What a person typed, as Hami stores it (`normalise_text`), or `ValidationError` when
    it holds a control character. Every form's text fields go through this
    (`hami.forms.HamiFormMixin`); text that is only invisible characters comes back empty,
    so a required field says it is required."""
    if control_characters(value):
        raise ValidationError(
            _(
                "This text contains a control character, an invisible character that cannot "
                "be typed on a keyboard (it may have come with text pasted from another "
                "program). Type the text again without it."
            ),
            code="control_character",
        )
    return normalise_text(value, multiline=multiline)
