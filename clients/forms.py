from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Course, Trade
from hami.forms import HamiFormMixin, JalaliDateField, MobileField
from hami.jalali import add_months
from hami.text import to_latin_digits
from hami.validators import validate_national_code
from hami.widgets import DigitsInput

from . import selectors
from .models import Assessment, Client, ExitReason, IdType, WorkCapacity
from .services import identity_taken_message

MIN_AGE, MAX_AGE = 15, 70
# A client not ready yet comes back for review within this many months.
REVIEW_WITHIN_MONTHS = 24


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


class ClientForm(HamiFormMixin, forms.ModelForm):
    """Registers or edits a client. `centre` is the centre the form works for: duplicates
    are looked up across all centres, but only that centre's own clients are named."""

    birth_date = JalaliDateField(label=_("Birth date"))
    mobile = MobileField(label=_("Mobile"), required=False, help_text=_("Like 09121234567."))
    consent = forms.BooleanField(
        label=_("The client agreed to the processing of their data"),
        help_text=_("Required: read the consent text to the client and record their agreement."),
    )

    class Meta:
        model = Client
        fields = [
            "id_type",
            "id_number",
            "welfare_file_number",
            "first_name",
            "last_name",
            "father_name",
            "gender",
            "birth_date",
            "mobile",
            "sms_opt_out",
            "province",
            "city",
            "address",
            "category",
            "education",
        ]
        widgets = {
            "id_number": DigitsInput,
            # Letters too (ISF-01-00081): left to right, but the full keyboard on phones.
            "welfare_file_number": forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
            "address": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, centre, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.today = today or timezone.localdate()
        if self.instance.pk:
            del self.fields["consent"]  # recorded once, at registration
        for name in ("gender", "category", "education"):
            self.fields[name].choices = [("", _("Choose…")), *self.fields[name].choices[1:]]
        self.fields["province"].empty_label = _("Choose…")
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("province", centre.province_id)
            self.initial.setdefault("city", centre.city)

    def clean_id_number(self):
        value = to_latin_digits(self.cleaned_data["id_number"]).replace(" ", "")
        if self.cleaned_data.get("id_type") == IdType.NATIONAL_CODE:
            return validate_national_code(value)
        value = value.replace("-", "")
        shortest, longest = Client.RESIDENCE_CARD_LENGTHS
        if not (value.isascii() and value.isdigit()) or not shortest <= len(value) <= longest:
            raise ValidationError(
                _("A residence card number is 5 to 20 digits."), code="residence_card"
            )
        if len(value) == Client.NATIONAL_CODE_LENGTH:
            # A number refused as a national code must not come in again as a card.
            raise ValidationError(
                _(
                    "A number of 10 digits is a national code, not a residence card number: "
                    "choose “National code” as the identity document."
                ),
                code="residence_card_is_national_code",
            )
        return value

    def clean_welfare_file_number(self):
        return Client.normalise_file_number(self.cleaned_data["welfare_file_number"])

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        if born > self.today:
            raise ValidationError(_("The birth date is in the future."), code="future")
        age = age_on(born, self.today)
        if not MIN_AGE <= age <= MAX_AGE:
            raise ValidationError(
                _(
                    "Clients are %(min)s to %(max)s years old at intake; this birth date "
                    "makes the client %(age)s."
                ),
                code="age",
                params={"min": MIN_AGE, "max": MAX_AGE, "age": age},
            )
        return born

    def clean(self):
        cleaned = super().clean()
        id_type, id_number = cleaned.get("id_type"), cleaned.get("id_number")
        if id_type and id_number:
            taken = selectors.client_with_identity(
                id_type=id_type, id_number=id_number, other_than=self.instance
            )
            if taken:
                self.add_error(
                    "id_number", identity_taken_message(taken, viewer_centre=self.centre)
                )
        file_number = cleaned.get("welfare_file_number")
        if file_number and selectors.file_number_taken(file_number, other_than=self.instance):
            self.add_error(
                "welfare_file_number",
                _("Another client already has this welfare file number."),
            )
        return cleaned

    def validate_unique(self):
        """Uniqueness is checked in `clean` with messages that do not reveal other centres."""


YES_NO = [(True, _("Yes")), (False, _("No"))]


def enrolment_version_field():
    """The version of the enrolment a form was shown for (hidden): the service refuses the
    form once the file has changed, so a second tab or a retried submit saves nothing."""
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


def review_deadline() -> date:
    """The last day a review can be set for, from today."""
    return add_months(timezone.localdate(), REVIEW_WITHIN_MONTHS)


class AssessmentForm(HamiFormMixin, forms.ModelForm):
    """An intake assessment of `client` (when given, the assessment date cannot come before
    the client's registration)."""

    version = enrolment_version_field()
    assessed_on = JalaliDateField(label=_("Assessed on"), max_date=timezone.localdate)
    interested_in_work = forms.TypedChoiceField(
        label=_("Interested in work"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )
    review_on = JalaliDateField(
        label=_("Review on"),
        required=False,
        max_date=review_deadline,
        help_text=_(
            "Needed when the client is not ready: the client returns to the worklist on this date."
        ),
    )

    class Meta:
        model = Assessment
        fields = [
            "assessed_on",
            "interested_in_work",
            "work_capacity",
            "recommended_track",
            "preferred_trades",
            "referral",
            "review_on",
            "notes",
        ]
        widgets = {
            "work_capacity": forms.RadioSelect,
            "preferred_trades": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_trades"].queryset = Trade.objects.filter(is_active=True)
        # Radio buttons offer the real answers only: no "---------" button, none chosen.
        self.fields["work_capacity"].choices = WorkCapacity.choices
        self.fields["recommended_track"].choices = [
            ("", _("Choose…")),
            *self.fields["recommended_track"].choices[1:],
        ]
        if client is not None:
            self.fields["assessed_on"].min_date = timezone.localdate(client.created_at)
            self.fields["assessed_on"].error_messages["min_date"] = _(
                "The client was registered on %(date)s: the assessment cannot come before."
            )
        self.initial.setdefault("assessed_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        ready = (
            cleaned.get("interested_in_work")
            and cleaned.get("work_capacity") != WorkCapacity.NOT_READY
        )
        review_on, assessed_on = cleaned.get("review_on"), cleaned.get("assessed_on")
        decided = "interested_in_work" in cleaned and "work_capacity" in cleaned
        if decided and not ready and review_on is None and "review_on" not in self.errors:
            self.add_error("review_on", _("Set a review date for a client who is not ready yet."))
        if review_on and assessed_on and review_on <= assessed_on:
            self.add_error("review_on", _("The review date must come after the assessment."))
        return cleaned


class StartTrainingForm(HamiFormMixin, forms.Form):
    version = enrolment_version_field()
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = (
            Course.objects.filter(centre=centre)
            .open_for_enrolment(timezone.localdate())
            .select_related("trade")
        )
        self.fields["course"].empty_label = _("Choose a course")


class FinishTrainingForm(HamiFormMixin, forms.Form):
    """Training finished: not in the future, and not before it started (`started_on`)."""

    version = enrolment_version_field()
    finished_on = JalaliDateField(label=_("Finished on"), max_date=timezone.localdate)
    attendance_percent = forms.IntegerField(
        label=_("Attendance (%)"), min_value=0, max_value=100, widget=DigitsInput
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"),
        required=False,
        max_length=40,
        widget=DigitsInput,
        help_text=_(
            "The technical and vocational training organisation's certificate, if awarded."
        ),
    )

    def __init__(self, *args, started_on: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if started_on is not None:
            self.fields["finished_on"].min_date = started_on
            self.fields["finished_on"].error_messages["min_date"] = _(
                "Training started on %(date)s: it cannot finish before."
            )
        self.initial.setdefault("finished_on", timezone.localdate())

    def clean_certificate_number(self):
        return to_latin_digits(self.cleaned_data["certificate_number"])


class ReasonForm(HamiFormMixin, forms.Form):
    version = enrolment_version_field()
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give a reason.")},
    )


class WithdrawForm(ReasonForm):
    exit_reason = forms.ChoiceField(
        label=_("Why the client leaves"),
        choices=ExitReason.choices,
        initial=ExitReason.WITHDREW,
        required=False,  # none chosen: the client's own choice, as before reasons were asked
        widget=forms.RadioSelect,
        help_text=_(
            "Death, long medical treatment and living in an institution are left out of the "
            "programme's outcome figures."
        ),
    )

    field_order = ["version", "exit_reason", "reason"]

    def clean_exit_reason(self):
        return self.cleaned_data["exit_reason"] or ExitReason.WITHDREW


class NotReadyForm(ReasonForm):
    review_on = JalaliDateField(
        label=_("Review on"),
        min_date=timezone.localdate,
        max_date=review_deadline,
        help_text=_("The client returns to the worklist on this date."),
    )
