"""Iranian national code and mobile number: normalise what people type, refuse what cannot be.

Both validators return the normalised value, so forms can store it; Django ignores the
return value when they are used as model or form field validators.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from hami.text import localise_digits_lazy, remove_invisible, to_latin_digits

# The widest range of dates Hami takes in any field: no client was born, no course ran and no
# review falls outside it. Each field narrows it to what the date means (an age, a course's
# window); this outer bound keeps year 1 and year 9999 out of every form and, as database
# check constraints, out of the tables, where they would break the Jalali display.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)

# Spaces of any kind and the dashes people (and word processors) put between digit groups.
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212_.]")
_MOBILE_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212_.()]")


def _clean(value, separators: re.Pattern) -> str:
    text = "" if value is None else str(value)
    return separators.sub("", remove_invisible(to_latin_digits(text)))


def national_code_check_digit(first_nine: str) -> int:
    """The check digit that completes nine digits into a valid national code."""
    remainder = sum(int(digit) * (10 - i) for i, digit in enumerate(first_nine)) % 11
    return remainder if remainder < 2 else 11 - remainder


def validate_national_code(value) -> str:
    """The national code as 10 Latin digits, or `ValidationError` saying what is wrong.

    Persian and Arabic-Indic digits are accepted; spaces and dashes are dropped.
    """
    code = _clean(value, _SEPARATORS)
    if code and not (code.isascii() and code.isdigit()):
        raise ValidationError(
            _("A national code contains only digits."), code="national_code_not_digits"
        )
    if len(code) != 10:
        raise ValidationError(
            ngettext_lazy(
                "A national code has 10 digits, including any zeros at the start; "
                "this one has %(digits)s digit.",
                "A national code has 10 digits, including any zeros at the start; "
                "this one has %(digits)s digits.",
                "count",
            ),
            code="national_code_length",
            # `count` chooses the plural form; `digits` shows it in the page's digits.
            params={"count": len(code), "digits": localise_digits_lazy(str(len(code)))},
        )
    if len(set(code)) == 1:
        raise ValidationError(
            _("A national code cannot be one digit repeated ten times."),
            code="national_code_repeated",
        )
    if int(code[9]) != national_code_check_digit(code[:9]):
        raise ValidationError(
            _(
                "This national code is not valid: its last digit does not match the others. "
                "Please check it for typing mistakes."
            ),
            code="national_code_checksum",
        )
    return code


def validate_mobile(value) -> str:
    """The mobile number as `09` and nine digits, or `ValidationError` saying what is wrong.

    Accepts Persian digits, spaces, dashes and brackets, and the international forms
    +98 912…, 0098 912…, 98 912… and 912… (leading zero left out).
    """
    number = _clean(value, _MOBILE_SEPARATORS)
    if number.startswith("+98"):
        number = number[3:]
    elif number.startswith("0098"):
        number = number[4:]
    elif number.startswith("98") and len(number) in (12, 13):
        number = number[2:]
    if number.startswith("9") and len(number) == 10:
        number = "0" + number
    if number and not (number.isascii() and number.isdigit()):
        raise ValidationError(
            _("A mobile number contains only digits, with +98 at the start if you like."),
            code="mobile_not_digits",
        )
    if number and not number.startswith("09"):
        raise ValidationError(
            _("A mobile number starts with 09, like 09121234567."), code="mobile_prefix"
        )
    if len(number) != 11:
        raise ValidationError(
            _("A mobile number has 11 digits, like 09121234567."), code="mobile_length"
        )
    return number


_COMPANY_ID_WEIGHTS = (29, 27, 23, 19, 17)


def company_id_check_digit(first_ten: str) -> int:
    """The check digit that completes ten digits into a valid national company ID (شناسه
    ملی of a legal entity): each digit plus (the tenth digit + 2), weighted 29, 27, 23, 19,
    17 over and over, summed, modulo 11 (10 counts as 0)."""
    shift = int(first_ten[9]) + 2
    total = sum(
        (int(digit) + shift) * _COMPANY_ID_WEIGHTS[i % 5] for i, digit in enumerate(first_ten)
    )
    remainder = total % 11
    return 0 if remainder == 10 else remainder


def validate_company_id(value) -> str:
    """A legal entity's national ID as 11 Latin digits, or `ValidationError` saying what is
    wrong. Persian digits, spaces and dashes are accepted."""
    code = _clean(value, _SEPARATORS)
    if code and not (code.isascii() and code.isdigit()):
        raise ValidationError(
            _("A national company ID contains only digits."), code="company_id_not_digits"
        )
    if len(code) != 11:
        raise ValidationError(
            _("A national company ID has 11 digits; this one has %(digits)s."),
            code="company_id_length",
            params={"digits": localise_digits_lazy(str(len(code)))},
        )
    if int(code[3:9]) == 0 or int(code[10]) != company_id_check_digit(code[:10]):
        raise ValidationError(
            _(
                "This national company ID is not valid: its last digit does not match the "
                "others. Please check it for typing mistakes."
            ),
            code="company_id_checksum",
        )
    return code
