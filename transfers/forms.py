from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from centres.models import Centre
from clients.models import Client, IdType
from hami.forms import HamiFormMixin
from hami.text import to_latin_digits
from hami.validators import validate_national_code
from hami.widgets import DigitsInput

REASON = {
    "widget": forms.Textarea(attrs={"rows": 3}),
    "max_length": 2000,
    "error_messages": {"required": _("Give a reason.")},
}


class TransferRequestForm(HamiFormMixin, forms.Form):
    """The receiving centre asks for the file of a client registered elsewhere: the
    identity number typed at registration, and why."""

    id_type = forms.ChoiceField(label=_("Identity document"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("National code or card number"), max_length=30, widget=DigitsInput
    )
    reason = forms.CharField(
        label=_("Why the file should come to your centre"),
        help_text=_("For example: the client has moved to this city."),
        **REASON,
    )

    def clean_id_number(self):
        value = to_latin_digits(self.cleaned_data["id_number"]).replace(" ", "").replace("-", "")
        if self.data.get("id_type") == IdType.NATIONAL_CODE:
            return validate_national_code(value)
        if not (value.isascii() and value.isdigit()):
            raise ValidationError(_("A residence card number is 5 to 20 digits."), code="card")
        low, high = Client.RESIDENCE_CARD_LENGTHS
        if not low <= len(value) <= high:
            raise ValidationError(_("A residence card number is 5 to 20 digits."), code="card")
        return value


class DecisionForm(HamiFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("agree", _("Agree: move the file now")),
            ("refuse", _("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), **REASON)


class TransferNowForm(HamiFormMixin, forms.Form):
    """The national office moves a file on its own."""

    to_centre = forms.ModelChoiceField(
        label=_("Receiving centre"), queryset=Centre.objects.none(), empty_label=_("Choose…")
    )
    reason = forms.CharField(label=_("Reason"), **REASON)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_centre"].queryset = (
            Centre.objects.filter(is_active=True)
            .exclude(pk=client.centre_id)
            .select_related("province")
        )
