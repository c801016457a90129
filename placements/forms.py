from datetime import date

from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Trade
from clients.forms import enrolment_version_field
from clients.models import Enrolment
from hami.forms import HamiFormMixin, JalaliDateField, MoneyField
from hami.jalali import add_months
from hami.text import to_latin_digits
from hami.validators import validate_company_id
from hami.widgets import DigitsInput

from . import placement_page, services
from .models import (
    ContractType,
    Employer,
    FollowUp,
    Opening,
    Outcome,
    PlacementKind,
    Premises,
    SkillLevel,
)

# No wage or income anyone types is more than this many rials (100 billion tomans): a
# bigger number is a typing slip, and would not fit the database's integer.
MAX_MONTHLY_AMOUNT = 10**12


def _choose(choices):
    return [("", _("Choose…")), *choices]


class EmployerForm(HamiFormMixin, forms.ModelForm):
    """Adds or edits an employer of the centre's list (the view sets the centre). An
    employer already on the list, by company ID or by name and city, is refused here with
    its name; the service refuses it again in its transaction."""

    class Meta:
        model = Employer
        fields = [
            "name",
            "kind",
            "sector",
            "province",
            "city",
            "contact_person",
            "phone",
            "company_id",
            "is_active",
        ]
        widgets = {"phone": DigitsInput, "company_id": DigitsInput}
        labels = {"sector": _("Sector (what it makes or does)")}
        error_messages = {"name": {"required": _("Enter the employer's name.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choose(self.fields["kind"].choices[1:])
        self.fields["province"].empty_label = _("Choose…")
        centre = self.instance.centre
        if not self.instance.pk:
            del self.fields["is_active"]
            self.initial.setdefault("province", centre.province_id)
            self.initial.setdefault("city", centre.city)
        self.helper.layout = Layout(
            "name",
            Row(Column("kind"), Column("sector")),
            Row(Column("province"), Column("city")),
            Row(Column("contact_person"), Column("phone")),
            "company_id",
            *(["is_active"] if "is_active" in self.fields else []),
        )

    def clean_company_id(self):
        value = self.cleaned_data["company_id"]
        return validate_company_id(value) if value else ""

    def clean_phone(self):
        value = to_latin_digits(self.cleaned_data["phone"])
        digits = "".join(c for c in value if c not in " -()+")
        if digits and not (digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 13):
            raise ValidationError(
                _("Enter a phone number of 8 to 13 digits, like 02166554433."), code="phone"
            )
        return digits

    def clean(self):
        cleaned = super().clean()
        name, city = cleaned.get("name"), cleaned.get("city")
        if name and city:
            taken = services.duplicate_employer(
                centre=self.instance.centre,
                name=name,
                city=city,
                company_id=cleaned.get("company_id") or "",
                other_than=self.instance,
            )
            if taken is not None:
                self.add_error(None, services.duplicate_employer_message(taken))
        return cleaned

    def validate_unique(self):
        """Duplicates are found in `clean`, with a message naming the employer."""


class PlacementForm(HamiFormMixin, forms.Form):
    """A placement of `enrolment`'s client: the kind of work, then the fields of that
    kind. `opening` pre-fills a wage job from an employer's opening."""

    version = enrolment_version_field()
    opening = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Kind of work"), choices=PlacementKind.choices, widget=forms.RadioSelect
    )
    starts_on = JalaliDateField(
        label=_("Started on"),
        help_text=_("The first day of work; at most a month ahead."),
        error_messages={"required": _("Enter the day the work started.")},
    )
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=None, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    skill_level = forms.ChoiceField(
        label=_("Skill level"), choices=_choose(SkillLevel.choices), required=False
    )
    monthly_wage = MoneyField(
        label=_("Monthly wage"), min_value=1, max_value=MAX_MONTHLY_AMOUNT, required=False
    )
    contract_type = forms.ChoiceField(
        label=_("Contract"), choices=_choose(ContractType.choices), required=False
    )
    business_name = forms.CharField(label=_("Business name"), max_length=150, required=False)
    premises = forms.ChoiceField(
        label=_("Where the business works"),
        choices=Premises.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    activity = forms.CharField(
        label=_("Activity"),
        max_length=200,
        required=False,
        help_text=_("What the business makes or does."),
    )

    WAGE_JOB_FIELDS = ("employer", "job_title", "skill_level", "monthly_wage", "contract_type")
    SELF_EMPLOYMENT_FIELDS = ("business_name", "premises", "activity")

    def __init__(self, *args, enrolment: Enrolment, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        centre = enrolment.centre
        self.fields["employer"].queryset = Employer.objects.filter(centre=centre, is_active=True)
        self.fields["employer"].empty_label = _("Choose…")
        self.fields["opening"].queryset = Opening.objects.filter(centre=centre).open_on(today)
        starts_on = self.fields["starts_on"]
        starts_on.min_date = timezone.localdate(enrolment.opened_at)
        starts_on.error_messages["min_date"] = _(
            "The client's enrolment began on %(date)s: the work cannot start before."
        )
        # What the apps built on placements add to an own business (the loan that
        # financed it): see `placement_page`.
        extra = placement_page.form_fields(enrolment)
        self.fields.update(extra)
        self.extra_fields = tuple(extra)
        starts_on.max_date = add_months(today, services.START_AT_MOST_MONTHS_AHEAD)
        starts_on.error_messages["max_date"] = _(
            "A placement is recorded at most a month before the work starts: the start date "
            "cannot be after %(date)s."
        )
        self.helper.layout = Layout(
            "version",
            "opening",
            "kind",
            "starts_on",
            Fieldset(
                _("Wage job"),
                "employer",
                "job_title",
                Row(Column("skill_level"), Column("contract_type")),
                "monthly_wage",
                css_class="border rounded p-3 mb-3",
                data_kind=PlacementKind.WAGE_JOB,
            ),
            Fieldset(
                _("Own business"),
                "business_name",
                "premises",
                "activity",
                *self.extra_fields,
                css_class="border rounded p-3 mb-3",
                data_kind=PlacementKind.SELF_EMPLOYMENT,
            ),
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == PlacementKind.WAGE_JOB:
            opening = cleaned.get("opening")
            if opening is not None and not cleaned.get("employer"):
                cleaned["employer"] = opening.employer
            required = self.WAGE_JOB_FIELDS
            other = (*self.SELF_EMPLOYMENT_FIELDS, *self.extra_fields)
        elif kind == PlacementKind.SELF_EMPLOYMENT:
            required, other = self.SELF_EMPLOYMENT_FIELDS, (*self.WAGE_JOB_FIELDS, "opening")
        else:
            return cleaned
        for name in required:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("Needed for this kind of work."))
        for name in other:  # the fields of the other kind are not saved
            kept_empty = name in ("employer", "monthly_wage", "opening", *self.extra_fields)
            cleaned[name] = None if kept_empty else ""
            self.errors.pop(name, None)
        return cleaned

    def placement_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["extra"] = {name: data.pop(name, None) for name in self.extra_fields}
        return data


OPENING_AT_MOST_MONTHS_AHEAD = 12


class OpeningForm(HamiFormMixin, forms.ModelForm):
    """Adds or edits an opening of one of the centre's employers (the view sets the
    centre on the instance)."""

    employer = forms.ModelChoiceField(label=_("Employer"), queryset=Employer.objects.none())
    wage_offered = MoneyField(
        label=_("Monthly wage offered"), min_value=1, max_value=MAX_MONTHLY_AMOUNT
    )
    open_until = JalaliDateField(
        label=_("Open until"),
        help_text=_("The last day the employer takes people through this opening."),
    )
    places = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=Opening.MAX_PLACES,
        widget=DigitsInput,
        help_text=_("How many people the employer will take on."),
    )

    class Meta:
        model = Opening
        fields = [
            "employer",
            "trade",
            "title",
            "city",
            "places",
            "wage_offered",
            "skill_level",
            "open_until",
        ]
        error_messages = {"title": {"required": _("Give the opening a job title.")}}

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        centre = self.instance.centre
        employers = models.Q(centre=centre, is_active=True)
        trades = models.Q(is_active=True)
        if self.instance.pk:  # keep what was chosen, even if since retired
            employers |= models.Q(pk=self.instance.employer_id)
            trades |= models.Q(pk=self.instance.trade_id)
        self.fields["employer"].queryset = Employer.objects.filter(employers)
        self.fields["employer"].empty_label = _("Choose…")
        self.fields["trade"].queryset = Trade.objects.filter(trades)
        self.fields["trade"].empty_label = _("Choose a trade")
        self.fields["skill_level"].choices = _choose(SkillLevel.choices)
        open_until = self.fields["open_until"]
        open_until.min_date = min(today, self.instance.open_until) if self.instance.pk else today
        open_until.error_messages["min_date"] = _("The opening cannot close before %(date)s.")
        open_until.max_date = add_months(today, OPENING_AT_MOST_MONTHS_AHEAD)
        open_until.error_messages["max_date"] = _(
            "An opening is kept open at most a year: close it by %(date)s."
        )
        if not self.instance.pk:
            self.initial.setdefault("city", centre.city)
            self.initial.setdefault("open_until", add_months(today, 1))
        self.helper.layout = Layout(
            Row(Column("employer"), Column("trade")),
            "title",
            Row(Column("city"), Column("places")),
            Row(Column("wage_offered"), Column("skill_level")),
            "open_until",
        )

    def clean_places(self):
        places = self.cleaned_data["places"]
        if places < self.instance.filled:
            raise ValidationError(
                _("%(filled)s places are already filled: the opening cannot have fewer."),
                code="fewer_than_filled",
                params={"filled": self.instance.filled},
            )
        return places


SATISFACTION = [("", _("Not asked"))] + [(str(n), str(n)) for n in range(1, 6)]


class FollowUpForm(HamiFormMixin, forms.Form):
    """The record of one follow-up call of `follow_up`."""

    contacted_on = JalaliDateField(
        label=_("Called on"),
        max_date=timezone.localdate,
        error_messages={"required": _("Enter the day of the call.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    monthly_income = MoneyField(
        label=_("Monthly income"),
        required=False,
        max_value=MAX_MONTHLY_AMOUNT,
        help_text=_("What the client earns a month now, if they said."),
    )
    employer_satisfaction = forms.TypedChoiceField(
        label=_("Employer's satisfaction (1 to 5)"),
        choices=SATISFACTION,
        coerce=int,
        empty_value=None,
        required=False,
    )
    client_satisfaction = forms.TypedChoiceField(
        label=_("Client's satisfaction (1 to 5)"),
        choices=SATISFACTION,
        coerce=int,
        empty_value=None,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    outside_window_reason = forms.CharField(
        label=_("Why now"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Needed when the call is outside the follow-up's window."),
    )

    def __init__(self, *args, follow_up: FollowUp, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up
        contacted_on = self.fields["contacted_on"]
        contacted_on.min_date = follow_up.placement.starts_on
        contacted_on.error_messages["min_date"] = _(
            "The work started on %(date)s: the call cannot come before."
        )
        self.initial.setdefault("contacted_on", timezone.localdate())
        self.helper.layout = Layout(
            "contacted_on",
            "outcome",
            "monthly_income",
            Row(Column("employer_satisfaction"), Column("client_satisfaction")),
            "notes",
            "outside_window_reason",
        )

    def clean(self):
        cleaned = super().clean()
        contacted_on = cleaned.get("contacted_on")
        if (
            contacted_on
            and not self.follow_up.in_window(contacted_on)
            and not cleaned.get("outside_window_reason")
            and "outside_window_reason" not in self.errors
        ):
            self.add_error(
                "outside_window_reason",
                _("The call is outside the follow-up's window: say why it is recorded now."),
            )
        return cleaned
