"""Text normalisation for Persian input: digits and Arabic letters."""

import re

_TO_LATIN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_ARABIC_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
_SPACES = re.compile(r"\s+")


def to_latin_digits(value: str) -> str:
    return value.translate(_TO_LATIN)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN)


def normalise_text(value: str) -> str:
    """Arabic ي/ك become Persian ی/ک, runs of white space one space, no edges."""
    return _SPACES.sub(" ", value.translate(_ARABIC_LETTERS)).strip()
