"""Hami's display filters. Registered as template builtins: no `{% load %}` needed.

{{ enrolment.started_on|jdate }}            ۱۴۰۳/۰۵/۱۳  (en: 2024-08-03)
{{ transition.at|jdate:"datetime" }}       ۱۴۰۳/۰۵/۱۳ ۱۴:۰۵  (local time)
{{ loan.amount|money }}                    ۱۲٬۵۰۰٬۰۰۰ تومان
{{ loan.amount|money:"rial" }}             ۱۲۵٬۰۰۰٬۰۰۰ ریال
{{ client.file_number|digits }}            ۴۵۶۷  (en: unchanged)
{{ province.population|number }}           ۱۳٬۲۶۷٬۶۳۷  (en: 13,267,637)
"""

import re
from datetime import date

from django import template
from django.utils.safestring import SafeData, mark_safe

from hami.jalali import display_date
from hami.money import EMPTY, UNITS, format_money
from hami.text import format_number, is_persian, to_persian_digits

register = template.Library()

# In HTML already marked safe, digits inside tags (URLs, ids) and character references
# (&#x27;) must stay as they are; only the text between them is converted.
_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")


@register.filter
def jdate(value, arg=None):
    """A date (or datetime) as people read it: Jalali with Persian digits in Persian, ISO in
    English. Aware datetimes are shown in local time; `"datetime"` adds the time (HH:MM)."""
    if arg not in (None, "", "datetime"):
        raise template.TemplateSyntaxError(f'jdate takes no argument or "datetime", not {arg!r}.')
    if not isinstance(value, date):
        return ""
    return display_date(value, with_time=arg == "datetime")


@register.filter
def money(value, unit=None):
    """An amount of rials in the display unit, grouped, with the unit's word; empty is `—`."""
    if unit not in (None, "", *UNITS):
        raise template.TemplateSyntaxError(f"money takes a unit from {UNITS}, not {unit!r}.")
    if value is None or value == "":
        return EMPTY
    try:
        return format_money(value, unit=unit or None)
    except (TypeError, ValueError, ArithmeticError):
        return ""


@register.filter(is_safe=True)
def digits(value):
    """Digits as the active language writes them: Persian digits in Persian."""
    if value is None:
        return ""
    if not is_persian():
        return value
    if isinstance(value, SafeData):
        # Safe in, safe out: only digits change, and never inside tags or references.
        parts = _MARKUP.split(str(value))
        converted = (part if i % 2 else to_persian_digits(part) for i, part in enumerate(parts))
        return mark_safe("".join(converted))
    return to_persian_digits(str(value))


@register.filter
def number(value):
    """A whole number grouped by thousands in the language's digits (`۱۳٬۲۶۷٬۶۳۷`); empty
    is `—`."""
    if value is None or value == "":
        return EMPTY
    return format_number(int(value))
