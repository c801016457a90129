"""Form widgets that follow the active language: Jalali text input in Persian, native in English."""

import html
from datetime import date, datetime

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeData, mark_safe

from hami.jalali import format_jalali
from hami.text import is_persian, to_persian_digits

JALALI_PLACEHOLDER = "۱۴۰۳/۰۵/۱۳"


def _resolve(limit):
    return limit() if callable(limit) else limit


class JalaliDateInput(forms.DateInput):
    """In Persian, a text input for the vendored Jalali date picker (`data-jdp`) holding
    `۱۴۰۳/۰۵/۱۳`; in English, `<input type="date">` holding an ISO date.

    The language is read when the widget renders, so one form class serves both.
    `min_date`/`max_date` (dates or callables returning one) are set by `JalaliDateField`
    and passed on to the picker or the browser.
    """

    def __init__(self, attrs=None, *, min_date=None, max_date=None):
        super().__init__(attrs)
        self.min_date = min_date
        self.max_date = max_date

    def format_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            # Persian digits on a Persian page, as everywhere else; the picker reads them,
            # and so does the field.
            return to_persian_digits(format_jalali(value)) if is_persian() else value.isoformat()
        return str(value)  # what the person typed, shown again with the error

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        min_date, max_date = _resolve(self.min_date), _resolve(self.max_date)
        if is_persian():
            context["widget"]["type"] = "text"
            widget_attrs["data-jdp"] = True
            widget_attrs.setdefault("inputmode", "numeric")
            widget_attrs.setdefault("dir", "ltr")
            widget_attrs.setdefault("autocomplete", "off")
            widget_attrs.setdefault("placeholder", JALALI_PLACEHOLDER)
            if min_date:
                widget_attrs.setdefault("data-jdp-min-date", format_jalali(min_date))
            if max_date:
                widget_attrs.setdefault("data-jdp-max-date", format_jalali(max_date))
        else:
            context["widget"]["type"] = "date"
            if min_date:
                widget_attrs.setdefault("min", min_date.isoformat())
            if max_date:
                widget_attrs.setdefault("max", max_date.isoformat())
        return context


class DigitsInput(forms.TextInput):
    """A text input for numbers people type with either keyboard (national code, mobile,
    amounts): numeric keypad on phones, left-to-right even on a Persian page."""

    def __init__(self, attrs=None):
        defaults = {"inputmode": "numeric", "dir": "ltr", "autocomplete": "off"}
        super().__init__(defaults | (attrs or {}))


class LongSelect(forms.Select):
    """A <select> that renders its options in Python rather than one template each: the
    national office's filters list a thousand centres, which Django's per-option
    templates take tens of milliseconds to render."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{_escape(option)}"{" selected" if str(option) in chosen else ""}>'
            f"{_escape(label)}</option>"
            for option, label in self.flat_choices()
        )
        return mark_safe(f'<select name="{_escape(name)}"{flatatt(attrs)}>{options}</select>')

    def flat_choices(self):
        for option, label in self.choices:
            if isinstance(label, list | tuple):  # an <optgroup>'s choices, flattened
                yield from label
            else:
                yield ("" if option is None else option), label


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper (a thousand calls a page)."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))
