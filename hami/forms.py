"""Form fields for what Hami's people type: Jalali dates, national codes, mobiles, money."""

import calendar
import re
from datetime import date, datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.dates import MONTHS
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from hami.jalali import InvalidJalaliDate, display_date, parse_jalali
from hami.money import NotWholeRials, format_money, parse_money, rials_to_display
from hami.text import (
    clean_text,
    is_persian,
    localise_digits,
    localise_digits_lazy,
    normalise_text,
    to_latin_digits,
    to_persian_digits,
)
from hami.validators import EARLIEST_DATE, LATEST_DATE, validate_mobile, validate_national_code
from hami.widgets import DigitsInput, JalaliDateInput, LongSelect

# For message parameters: the date in the language the message is finally shown in.
display_date_lazy = lazy(display_date, str)

# No one means a Jalali year from 1800 on (Jalali 1800 is Gregorian 2421), so on a Persian
# page a date with such a year is a Gregorian date, pasted from elsewhere or posted by a
# script: it is read as one rather than refused.
GREGORIAN_YEARS_FROM = 1800

_ISO_DATE = re.compile(r"([0-9]{4})\s*([/\-.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})")
_LEADING_YEAR = re.compile(r"([0-9]{4})\D")


def looks_gregorian(text: str) -> bool:
    """Whether a typed date (Latin digits) starts with a Gregorian year: no Jalali year in
    use is 1800 or later."""
    year = _LEADING_YEAR.match(text)
    return bool(year) and int(year.group(1)) >= GREGORIAN_YEARS_FROM


def _parse_gregorian(text: str) -> date:
    """An ISO date (`2024-08-03`; Persian digits and `/` accepted), with a precise reason
    when there is no such day."""
    match = _ISO_DATE.fullmatch(text)
    if not match:
        raise ValidationError(_("Enter a date like 2024-08-03."), code="invalid")
    year, _separator, month, day = match.groups()
    year, month, day = int(year), int(month), int(day)
    if year < 1:
        raise ValidationError(
            _("The year must be between %(min)s and %(max)s."),
            code="invalid_year",
            params={"min": localise_digits_lazy("1"), "max": localise_digits_lazy("9999")},
        )
    if not 1 <= month <= 12:
        raise ValidationError(_("Month must be between 1 and 12."), code="invalid_month")
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        raise ValidationError(
            _("%(month)s has %(days)s days, so the day must be between 1 and %(days)s."),
            code="invalid_day",
            params={"month": MONTHS[month], "days": localise_digits_lazy(str(length))},
        )
    return date(year, month, day)


def takes_text(field: forms.Field) -> bool:
    """Whether a form field takes free text that `clean_text` should see: every CharField
    (and its kinds: national code, mobile, e-mail…), except passwords, which are kept
    exactly as typed."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


def _clean_text_first(field: forms.CharField) -> None:
    """Make `field` read what was typed through `clean_text` before its own `to_python`:
    normalised, control characters refused, and line breaks kept in a text area."""
    if getattr(field, "cleans_text", False):
        return
    multiline = isinstance(field.widget, forms.Textarea)
    own_to_python = field.to_python

    def to_python(value):
        if isinstance(value, str):
            value = clean_text(value, multiline=multiline)
        return own_to_python(value)

    field.to_python = to_python
    field.cleans_text = True


# The largest key a database integer column holds: a choice of a larger number is refused
# as the choice it is not, before it reaches the database (SQLite raises OverflowError on
# it, PostgreSQL an out-of-range error).
LARGEST_KEY = 2**63 - 1


def _refuse_impossible_keys(field: forms.ModelChoiceField) -> None:
    """Make a model choice field refuse a number no row can have, as an invalid choice."""
    if getattr(field, "checks_keys", False):
        return
    own_clean = field.clean

    def clean(value):
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            text = str(item).strip()
            # Length first: Python refuses to read a number of more than 4,300 digits.
            if text.isdigit() and (len(text) > len(str(LARGEST_KEY)) or int(text) > LARGEST_KEY):
                raise ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return own_clean(value)

    field.clean = clean
    field.checks_keys = True


class HamiFormMixin:
    """Every Hami form. Crispy renders the fields; the page supplies the <form> tag,
    `{% csrf_token %}` and buttons.

    Input is hostile until normalised, here in one place for every form:
    - every text field reads what was typed through `hami.text.clean_text` (Arabic
      letters, invisible characters, ZWNJ inside words only, white space; line breaks kept
      in text areas; control characters refused), so text of nothing but invisible
      characters is empty and a required field says so;
    - a choice of a row by a number larger than any key is refused as an invalid choice;
    - on a Persian page, digits in error messages are Persian, whatever message produced
      them (Django's own length and number limits included).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def full_clean(self):
        # At clean time rather than in __init__, so fields a subclass adds later are included.
        for field in self.fields.values():
            if takes_text(field):
                _clean_text_first(field)
            if isinstance(field, forms.ModelChoiceField):  # and ModelMultipleChoiceField
                _refuse_impossible_keys(field)
        super().full_clean()
        if self.is_bound and is_persian():
            self._localise_error_digits()

    def _localise_error_digits(self):
        for errors in self._errors.values():
            errors.data[:] = [
                ValidationError(to_persian_digits(message), code=error.code)
                for error in errors.as_data()
                for message in error
            ]


class CrispyFilterSetMixin:
    """For a django-filter FilterSet: crispy lays its form out as one row of columns, and
    the page supplies the <form> tag and buttons. `wide_filters` get a wider column."""

    wide_filters: frozenset[str] = frozenset()

    @property
    def form(self):
        form = super().form
        if not hasattr(form, "helper"):
            # The same <select>, rendered without a template per option (each form has
            # its own copy of its widgets).
            for field in form.fields.values():
                if type(field.widget) is forms.Select:
                    field.widget.__class__ = LongSelect
            form.helper = FormHelper()
            form.helper.form_tag = False
            form.helper.disable_csrf = True
            form.helper.layout = Layout(
                Row(
                    *(
                        Column(
                            name,
                            css_class="col-12 col-lg-4" if name in self.wide_filters else "col-sm",
                        )
                        for name in self.filters
                    )
                )
            )
        return form


class JalaliDateField(forms.DateField):
    """A date typed in the active language's calendar; cleans to a Gregorian `date`.

    Persian: Jalali `1403/05/13` (Persian or Latin digits, `/` or `-`), with the date picker;
    English: ISO `2024-08-03` in the browser's date input. A wrong date is refused with the
    reason (no such month, no 30 Esfand this year…); override a reason's message through
    `error_messages` with its code (`invalid`, `invalid_month`, `invalid_day`,
    `not_leap_year`, `short_year`, `year_last`, `invalid_year`, `min_date`, `max_date`).

    `min_date`/`max_date` (a date, or a callable such as `timezone.localdate`) bound the
    accepted dates and are passed on to the picker; they narrow Hami's outer bounds
    (`EARLIEST_DATE`, `LATEST_DATE`), which every date field keeps even without them.
    """

    widget = JalaliDateInput
    default_error_messages = {
        "min_date": _("Enter a date on or after %(date)s."),
        "max_date": _("Enter a date on or before %(date)s."),
    }

    def __init__(self, *, min_date=None, max_date=None, **kwargs):
        self.min_date = min_date
        self.max_date = max_date
        # Only messages the caller chose replace the precise reasons; Django's generic
        # "Enter a valid date." must not.
        self.reason_messages = dict(kwargs.get("error_messages") or {})
        super().__init__(**kwargs)
        if isinstance(self.widget, JalaliDateInput):
            self.widget.min_date = self.earliest
            self.widget.max_date = self.latest

    def earliest(self) -> date:
        """The first date the field accepts, today."""
        min_date = self.min_date() if callable(self.min_date) else self.min_date
        return max(min_date, EARLIEST_DATE) if min_date else EARLIEST_DATE

    def latest(self) -> date:
        """The last date the field accepts, today."""
        max_date = self.max_date() if callable(self.max_date) else self.max_date
        return min(max_date, LATEST_DATE) if max_date else LATEST_DATE

    def __deepcopy__(self, memo):
        # Each form works on its own copy of the field and may narrow its bounds: the
        # copy's widget must show the copy's bounds (a widget's copy is shallow).
        result = super().__deepcopy__(memo)
        if isinstance(result.widget, JalaliDateInput):
            result.widget.min_date = result.earliest
            result.widget.max_date = result.latest
        return result

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = to_latin_digits(normalise_text(str(value)))
        if not text:
            return None
        try:
            if not is_persian():
                return _parse_gregorian(text)
            if looks_gregorian(text):
                return _parse_gregorian(text)
            return parse_jalali(text)
        except InvalidJalaliDate as error:
            message = self.reason_messages.get(error.code, error.message)
            raise ValidationError(message, code=error.code, params=error.params) from error
        except ValidationError as error:
            if error.code in self.reason_messages:
                raise ValidationError(
                    self.reason_messages[error.code], code=error.code, params=error.params
                ) from error
            raise

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        min_date, max_date = self.earliest(), self.latest()
        if value < min_date:
            raise ValidationError(
                self.error_messages["min_date"],
                code="min_date",
                params={"date": display_date_lazy(min_date)},
            )
        if value > max_date:
            raise ValidationError(
                self.error_messages["max_date"],
                code="max_date",
                params={"date": display_date_lazy(max_date)},
            )


class NationalCodeField(forms.CharField):
    """An Iranian national code; cleans to 10 Latin digits (see `validate_national_code`)."""

    widget = DigitsInput

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return validate_national_code(value)


class MobileField(forms.CharField):
    """An Iranian mobile number; cleans to `09` and nine digits (see `validate_mobile`)."""

    widget = DigitsInput

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return validate_mobile(value)


class MoneyField(forms.Field):
    """An amount typed in the display unit (`settings.HAMI_MONEY_UNIT`, tomans by default),
    with Persian or Latin digits and optional grouping (`۱٬۵۰۰٬۰۰۰`, `1,500,000`); cleans
    to whole rials (int). `min_value`/`max_value` are in rials; the default refuses
    negative amounts.
    """

    widget = DigitsInput
    default_error_messages = {
        "invalid": _("Enter an amount in digits, like 1,500,000."),
        "fraction": _("Enter a whole number of rials."),
        "min_value": _("Enter at least %(amount)s."),
        "max_value": _("Enter at most %(amount)s."),
    }

    def __init__(self, *, min_value: int | None = 0, max_value: int | None = None, **kwargs):
        self.min_value = min_value
        self.max_value = max_value
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return rials_to_display(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if not text:
            return None
        try:
            return parse_money(text)
        except NotWholeRials as error:
            raise ValidationError(self.error_messages["fraction"], code="fraction") from error
        except ValueError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"amount": format_money(self.min_value)},
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"amount": format_money(self.max_value)},
            )


# -- password change ---------------------------------------------------------------------

# Each password validator's rule, in our words (Django's Persian catalogue mixes terms and
# leaves some in English); a validator not listed here speaks for itself.
_PASSWORD_RULES = {
    "UserAttributeSimilarityValidator": lambda validator: gettext(
        "Not like your name or username."
    ),
    "MinimumLengthValidator": lambda validator: (
        ngettext(
            "At least %(count)s character.", "At least %(count)s characters.", validator.min_length
        )
        % {"count": localise_digits(str(validator.min_length))}
    ),
    "CommonPasswordValidator": lambda validator: gettext(
        "Not one of the passwords many people use."
    ),
    "NumericPasswordValidator": lambda validator: gettext("Not only digits."),
}

# Their refusals, by the code the validator gives (`%(…)s` filled from its params).
_PASSWORD_REFUSALS = {
    "password_too_short": ngettext_lazy(
        "This password is too short: use at least %(min_length)s character.",
        "This password is too short: use at least %(min_length)s characters.",
        "min_length",
    ),
    "password_too_common": _(
        "Many people use this password, so it is easy to guess: choose another."
    ),
    "password_entirely_numeric": _("This password is only digits: add some letters."),
    "password_too_similar": _("This password is too much like your %(verbose_name)s."),
}


def _password_rules() -> str:
    rules = []
    for validator in password_validation.get_default_password_validators():
        rule = _PASSWORD_RULES.get(type(validator).__name__)
        rules.append(rule(validator) if rule else validator.get_help_text())
    if not rules:
        return ""
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in rules)))


# The password rules as a field's help, in the language of the page that shows it.
password_rules_lazy = lazy(_password_rules, str)


class PasswordRefusalsMixin:
    """Password validators' refusals in our words (`_PASSWORD_REFUSALS`), for every form
    that sets a password."""

    def add_error(self, field, error):
        if isinstance(error, ValidationError) and not hasattr(error, "error_dict"):
            error = ValidationError(
                [
                    ValidationError(
                        _PASSWORD_REFUSALS[item.code], code=item.code, params=item.params
                    )
                    if item.code in _PASSWORD_REFUSALS
                    else item
                    for item in error.error_list
                ]
            )
        super().add_error(field, error)


class PasswordChangeForm(PasswordRefusalsMixin, HamiFormMixin, auth_forms.PasswordChangeForm):
    """Django's password change with messages of our own, so a Persian page is Persian
    throughout: Django's catalogue leaves some in English and calls the confirmation field
    the *old* password. Passwords are kept exactly as typed (no text normalising)."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("Your current password is not right. Type it again."),
        "password_mismatch": _("The two new passwords are not the same. Type them again."),
    }
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_rules_lazy(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the new password once more, to be sure it has no typing mistake."),
    )


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, refusing a username longer than a username can be before it
    is tried: Django only sets the input's maxlength, so a long one reached the backends,
    and django-axes' record of the failed attempt (255 characters) broke on PostgreSQL."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.fields["username"].max_length:
            raise self.get_invalid_login_error()  # the same words as a wrong password
        return super().clean()
