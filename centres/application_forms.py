"""The forms of centre-opening applications: the public application (new, or changed when
the national office asks), the tracking-code form, the office's review and decisions,
the filters of the office's list, and the first manager's account."""

import re

from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, FilterSet, ModelChoiceFilter

from hami.forms import (
    CrispyFilterSetMixin,
    HamiFormMixin,
    JalaliDateField,
    MobileField,
    PasswordRefusalsMixin,
    password_rules_lazy,
)
from hami.jalali import add_months
from hami.text import localise_digits_lazy, to_latin_digits
from hami.widgets import DigitsInput

from . import documents
from .models import (
    ApplicationState,
    CentreApplication,
    DocumentKind,
    Province,
    Trade,
)

_REGISTRATION_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z/\-]{0,29}")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (instructors' certificates); cleans to a list, refused
    past `max_files` before any file is read."""

    def __init__(self, *, max_files: int, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = list(data) if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > self.max_files:
            raise documents.too_many_certificates()
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        single = super().clean
        return [single(f, initial) for f in files]


DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ApplicationForm(HamiFormMixin, forms.ModelForm):
    """The public application. Nothing is kept until every field and every document passes;
    `documents` then holds the checked uploads by kind. When the office asks for changes
    (`revising`), documents may be left out: those sent before are kept."""

    contact_mobile = MobileField(
        label=_("Contact mobile"),
        error_messages={"required": _("Enter a mobile number we can reach you on.")},
    )
    planned_capacity = forms.IntegerField(
        label=_("Planned training capacity"),
        widget=DigitsInput,
        help_text=_("How many people the centre would train at the same time: 1 to 60."),
        error_messages={
            "required": _("Enter how many people the centre would train at the same time."),
            "invalid": _("Enter the capacity as a whole number, from 1 to 60."),
        },
    )
    trades = forms.ModelMultipleChoiceField(
        label=_("Trades it would teach"),
        queryset=Trade.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one trade the centre would teach."),
            "invalid_choice": _("Choose trades from the list."),
            "invalid_pk_value": _("Choose trades from the list."),
        },
    )
    licence = forms.FileField(
        label=_("Operating licence"),
        help_text=_("A scan of the organisation's licence: PDF, JPEG or PNG, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        error_messages={
            "required": _("Attach a scan of the operating licence."),
            "empty": _("The licence file is empty. Choose the scanned document again."),
        },
    )
    lease = forms.FileField(
        label=_("Premises lease"),
        help_text=_("A scan of the lease or deed of the premises: PDF, JPEG or PNG, up to 5 MB."),
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        error_messages={
            "required": _("Attach a scan of the premises lease."),
            "empty": _("The lease file is empty. Choose the scanned document again."),
        },
    )
    certificates = MultipleFileField(
        label=_("Instructors' certificates"),
        max_files=documents.MAX_CERTIFICATES,
        help_text=_("Up to 10 files, PDF, JPEG or PNG, up to 5 MB each; 25 MB for all documents."),
        widget=MultipleFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        error_messages={
            "required": _("Attach the instructors' certificates (at least one)."),
            "empty": _("A certificate file is empty. Choose the scanned documents again."),
        },
    )

    class Meta:
        model = CentreApplication
        fields = [
            "organisation_name",
            "operator",
            "registration_number",
            "contact_name",
            "contact_mobile",
            "contact_email",
            "province",
            "city",
            "address",
            "planned_capacity",
            "trades",
            "staff_and_instructors",
        ]
        labels = {
            "organisation_name": _("Organisation's name"),
            "operator": _("Kind of organisation"),
            "registration_number": _("Registration number"),
            "contact_name": _("Contact person"),
            "contact_email": _("Contact e-mail"),
            "province": _("Province"),
            "city": _("City"),
            "address": _("Address of the premises"),
            "staff_and_instructors": _("Staff and instructors"),
        }
        help_texts = {
            "registration_number": _("As on the organisation's registration certificate."),
            "staff_and_instructors": _(
                "Who would run the centre and teach: names, roles, qualifications, experience."
            ),
        }
        widgets = {
            "registration_number": DigitsInput,
            "address": forms.Textarea(attrs={"rows": 2}),
            "staff_and_instructors": forms.Textarea(attrs={"rows": 5}),
            "contact_email": forms.EmailInput(attrs={"dir": "ltr"}),
        }
        error_messages = {
            "organisation_name": {"required": _("Enter the organisation's name.")},
            "operator": {
                "required": _("Choose whether the organisation is an NGO or private."),
                "invalid_choice": _("Choose whether the organisation is an NGO or private."),
            },
            "registration_number": {"required": _("Enter the registration number.")},
            "contact_name": {"required": _("Enter the name of the person we should contact.")},
            "contact_email": {
                "required": _("Enter an e-mail address: the decision is sent there."),
                "invalid": _("Enter an e-mail address like name@example.org."),
            },
            "province": {
                "required": _("Choose the province of the premises."),
                "invalid_choice": _("Choose a province from the list."),
            },
            "city": {"required": _("Enter the city of the premises.")},
            "address": {"required": _("Enter the address of the premises.")},
            "staff_and_instructors": {
                "required": _("Describe the centre's staff and instructors.")
            },
        }

    def __init__(self, *args, revising=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.revising = revising
        self.documents: dict[str, list] = {}
        self.fields["trades"].queryset = Trade.objects.filter(is_active=True)
        self.fields["province"].queryset = Province.objects.all()
        self.fields["province"].empty_label = _("Choose a province")
        self.fields["operator"].choices = [("", _("Choose the kind"))] + [
            (o.value, o.label) for o in CentreApplication.OPERATORS
        ]
        if revising:
            for name in ("licence", "lease", "certificates"):
                self.fields[name].required = False
                self.fields[name].help_text = _(
                    "Leave empty to keep the files you sent before; files chosen here replace them."
                )
        self.helper.layout = Layout(
            Fieldset(
                _("The organisation"),
                "organisation_name",
                Row(Column("operator"), Column("registration_number")),
                "contact_name",
                Row(Column("contact_mobile"), Column("contact_email")),
            ),
            Fieldset(
                _("The premises"),
                Row(Column("province"), Column("city")),
                "address",
            ),
            Fieldset(
                _("Training"),
                "planned_capacity",
                "trades",
                "staff_and_instructors",
            ),
            Fieldset(
                _("Documents"),
                HTML(
                    '<p class="text-body-secondary small">{}</p>'.format(
                        _(
                            "Scans as PDF, JPEG or PNG files. Files are checked by their "
                            "content: a file of another kind is refused, whatever its name."
                        )
                    )
                ),
                "licence",
                "lease",
                "certificates",
            ),
        )

    def clean_registration_number(self):
        number = to_latin_digits(self.cleaned_data["registration_number"]).replace(" ", "")
        if not _REGISTRATION_NUMBER.fullmatch(number):
            raise ValidationError(
                _("A registration number has only digits and letters, with / or - between."),
                code="invalid_registration_number",
            )
        return number

    def clean_planned_capacity(self):
        capacity = self.cleaned_data["planned_capacity"]
        if not 1 <= capacity <= 60:
            raise ValidationError(
                _("A centre trains from %(min)s to %(max)s people at the same time."),
                code="capacity_range",
                params={"min": localise_digits_lazy("1"), "max": localise_digits_lazy("60")},
            )
        return capacity

    def _clean_documents(self, name, kind):
        uploads = self.cleaned_data.get(name)
        uploads = uploads if isinstance(uploads, list) else ([uploads] if uploads else [])
        checked = []
        errors = []
        for upload in uploads:
            try:
                checked.append(documents.check_upload(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        self.documents[kind] = checked
        return uploads

    def clean_licence(self):
        return self._clean_documents("licence", DocumentKind.LICENCE)

    def clean_lease(self):
        return self._clean_documents("lease", DocumentKind.LEASE)

    def clean_certificates(self):
        return self._clean_documents("certificates", DocumentKind.CERTIFICATE)

    def clean(self):
        cleaned = super().clean()
        if len(self.documents) == 3:  # every document field passed: their size together
            try:
                documents.check_all(
                    {kind: [c.upload for c in files] for kind, files in self.documents.items()}
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def application_fields(self) -> dict:
        """The application's own fields, cleaned, for the service."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "trades"}


class TrackForm(HamiFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
        help_text=_(
            "The 12 letters and digits you were given when you applied, like ABCD-EFGH-2345."
        ),
        error_messages={"required": _("Enter your tracking code.")},
    )


class ReviewForm(HamiFormMixin, forms.ModelForm):
    """The national office's checklist and site visit."""

    site_visit_on = JalaliDateField(
        label=_("Site visit on"),
        required=False,
        max_date=timezone.localdate,
        error_messages={
            "max_date": _("A site visit is recorded once it has happened: not after %(date)s.")
        },
    )

    class Meta:
        model = CentreApplication
        fields = [
            "licence_checked",
            "lease_checked",
            "certificates_checked",
            "premises_suitable",
            "site_visit_on",
            "site_visit_notes",
        ]
        labels = {
            "licence_checked": _("The operating licence is valid"),
            "lease_checked": _("The premises lease is valid"),
            "certificates_checked": _("The instructors' certificates are valid"),
            "premises_suitable": _("The premises are suitable and accessible"),
            "site_visit_notes": _("Site visit notes"),
        }
        widgets = {"site_visit_notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        submitted = self.instance.submitted_at
        if submitted:
            field = self.fields["site_visit_on"]
            field.min_date = add_months(timezone.localdate(submitted), -12)
            field.error_messages["min_date"] = _(
                "This date is long before the application was sent: enter the day of the visit."
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("site_visit_notes") and not cleaned.get("site_visit_on"):
            self.add_error(
                "site_visit_on",
                ValidationError(
                    _("Enter the day of the site visit the notes are about."), code="visit_date"
                ),
            )
        return cleaned

    def checklist(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields[:4]}


class ApproveForm(HamiFormMixin, forms.Form):
    centre_name = forms.CharField(
        label=_("The centre's name"),
        max_length=150,
        error_messages={"required": _("Give the new centre a name.")},
    )
    opens_on = JalaliDateField(
        label=_("Opens on"),
        min_date=timezone.localdate,
        max_date=lambda: add_months(timezone.localdate(), 24),
        help_text=_(
            "The centre stays inactive until this day; its manager can log in from then on."
        ),
        error_messages={
            "required": _("Enter the day the centre opens."),
            "min_date": _("The centre cannot open in the past: choose %(date)s or later."),
            "max_date": _("Choose an opening day within two years: by %(date)s."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads it on the tracking page."),
        error_messages={"required": _("Write the reason for the decision.")},
    )


class ReturnForm(HamiFormMixin, forms.Form):
    """Reject, or ask the applicant for changes."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("ask_for_changes", _("Ask the applicant for changes")),
            ("reject", _("Reject the application")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the decision."),
            "invalid_choice": _("Choose the decision."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads it on the tracking page: say what to change or why."),
        error_messages={"required": _("Write the reason for the decision.")},
    )


class ApplicationFilter(CrispyFilterSetMixin, FilterSet):
    province = ModelChoiceFilter(
        label=_("Province"), queryset=Province.objects.all(), empty_label=_("All provinces")
    )
    state = ChoiceFilter(
        label=_("Status"), choices=ApplicationState.choices, empty_label=_("Any status")
    )

    class Meta:
        model = CentreApplication
        fields = ["province", "state"]


class InvitationForm(PasswordRefusalsMixin, HamiFormMixin, auth_forms.UserCreationForm):
    """The first manager's account: a username, their name and a password."""

    error_messages = {
        **auth_forms.UserCreationForm.error_messages,
        "password_mismatch": _("The two passwords are not the same. Type them again."),
    }

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]
        labels = {
            "username": _("Username"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
        }
        field_classes = {"username": auth_forms.UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.fields["first_name"].error_messages["required"] = _("Enter your first name.")
        self.fields["last_name"].error_messages["required"] = _("Enter your last name.")
        self.fields["username"].error_messages["required"] = _("Choose a username.")
        self.fields["username"].help_text = _("Letters, digits and . _ - only; you log in with it.")
        self.fields["password1"].label = _("Password")
        self.fields["password1"].help_text = password_rules_lazy()
        self.fields["password2"].label = _("Password again")
        self.fields["password2"].help_text = _(
            "Type the password once more, to be sure it has no typing mistake."
        )

    def clean_username(self):
        username = super().clean_username()
        if username and not re.fullmatch(r"[A-Za-z0-9._-]+", username):
            raise ValidationError(
                _("A username has only Latin letters, digits and . _ -"), code="invalid_username"
            )
        return username
