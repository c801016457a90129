"""Money: stored as whole rials (int) everywhere; tomans (10 rials) only for people.

`settings.HAMI_MONEY_UNIT` ("toman" or "rial") chooses the unit people see and type.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext

from hami.text import (
    format_number,
    is_persian,
    remove_invisible,
    to_latin_digits,
)

RIALS_PER_TOMAN = 10
UNITS = ("toman", "rial")
PERSIAN_DECIMAL_SEPARATOR = "\u066b"  # ٫
EMPTY = "—"
# Before a minus sign in Persian text: a left-to-right mark keeps the sign on the left of the
# digits, as Persian arithmetic writes it, instead of the bidi algorithm moving it right.
_LRM = "\u200e"
_GROUPING = re.compile(r"[\s,_'\u066c\u060c]")  # spaces, commas (also Persian ٬ and ،), _ '


class NotWholeRials(ValueError):
    """An amount that would need a fraction of a rial, the smallest unit there is."""


def _unit(unit: str | None) -> str:
    unit = unit or settings.HAMI_MONEY_UNIT
    if unit not in UNITS:
        raise ValueError(f"Unknown money unit {unit!r}; expected one of {UNITS}.")
    return unit


def unit_name(unit: str | None = None) -> str:
    """The unit's word in the active language: toman/rial (تومان/ریال)."""
    return gettext("toman") if _unit(unit) == "toman" else gettext("rial")


def _whole_rials(rials) -> int:
    if isinstance(rials, int):
        return rials
    return int(Decimal(str(rials)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_amount(rials: int, *, unit: str | None = None) -> str:
    """The number alone, in the display unit, grouped by thousands: `1,250,000`
    (`۱٬۲۵۰٬۰۰۰` in Persian). Tomans are rounded half up (away from zero) to whole tomans."""
    rials = _whole_rials(rials)
    magnitude = abs(rials)
    if _unit(unit) == "toman":
        magnitude, remainder = divmod(magnitude, RIALS_PER_TOMAN)
        if remainder * 2 >= RIALS_PER_TOMAN:
            magnitude += 1
    sign = "-" if rials < 0 and magnitude else ""
    if sign and is_persian():
        sign = _LRM + sign
    return sign + format_number(magnitude)


def format_money(rials: int | None, *, unit: str | None = None) -> str:
    """An amount of rials for people: `1,250,000 toman`, `۱٬۲۵۰٬۰۰۰ تومان`; None is `—`.

    The unit defaults to `settings.HAMI_MONEY_UNIT`. Digits and the thousands separator
    follow the active language. Negative amounts keep their sign.
    """
    if rials is None:
        return EMPTY
    return f"{format_amount(rials, unit=unit)} {unit_name(unit)}"


def _parse_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("An amount of money is a number, not a yes/no value.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal | float):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise ValueError(f"Not an amount of money: {value!r}.")
        return amount
    text = remove_invisible(to_latin_digits(str(value)))
    text = _GROUPING.sub("", text).replace(PERSIAN_DECIMAL_SEPARATOR, ".").replace("\u2212", "-")
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        raise ValueError(f"Not an amount of money: {value!r}.")
    return Decimal(text)


def _to_rials(amount: Decimal, rials_per_unit: int) -> int:
    rials = amount * rials_per_unit
    if rials != rials.to_integral_value():
        raise NotWholeRials(f"{amount} is not a whole number of rials.")
    return int(rials)


def tomans_to_rials(value) -> int:
    """Rials in an amount of tomans: `1500` → 15000.

    Takes an int, Decimal, or text as people type it (Persian digits, `٬`/`,` grouping,
    `٫`/`.` decimal point: `۱٬۵۰۰٫۵` → 15005). Raises ValueError for anything that is not
    a number, `NotWholeRials` (a ValueError) for a fraction of a rial.
    """
    return _to_rials(_parse_decimal(value), RIALS_PER_TOMAN)


def parse_money(value, *, unit: str | None = None) -> int:
    """Rials in an amount typed in the display unit (default `settings.HAMI_MONEY_UNIT`)."""
    rials_per_unit = RIALS_PER_TOMAN if _unit(unit) == "toman" else 1
    return _to_rials(_parse_decimal(value), rials_per_unit)


def rials_to_display(rials: int, *, unit: str | None = None) -> str:
    """Rials as a plain number in the display unit, for a form's input: 15005 → `1500.5`."""
    if _unit(unit) == "rial":
        return str(rials)
    amount = Decimal(rials) / RIALS_PER_TOMAN
    return str(amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount)
