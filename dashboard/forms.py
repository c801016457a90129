"""The dashboards' filter: a Jalali year, quarter or month, or any span of days; and for
the national office a province and a centre."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import Centre, Province
from hami.forms import HamiFormMixin, JalaliDateField
from hami.jalali import display_date, jalali_month_name, to_jalali
from hami.text import localise_digits

from .periods import Period, jalali_month, jalali_quarter, jalali_year

YEARS_SHOWN = 10


def _years():
    this_year = to_jalali(timezone.localdate()).year
    return [
        (str(year), localise_digits(str(year)))
        for year in range(this_year, this_year - YEARS_SHOWN, -1)
    ]


def _quarters():
    return [(str(q), localise_digits(str(q))) for q in range(1, 5)]


def _months():
    return [(str(m), jalali_month_name(m)) for m in range(1, 13)]


def _span_label(starts_on, ends_on) -> str:
    if starts_on and ends_on:
        return _("%(start)s to %(end)s") % {
            "start": display_date(starts_on),
            "end": display_date(ends_on),
        }
    if starts_on:
        return _("From %(date)s") % {"date": display_date(starts_on)}
    return _("Until %(date)s") % {"date": display_date(ends_on)}


class DashboardFilterForm(HamiFormMixin, forms.Form):
    year = forms.ChoiceField(label=gettext_lazy("Jalali year"), required=False)
    quarter = forms.ChoiceField(label=gettext_lazy("Quarter"), required=False)
    month = forms.ChoiceField(label=gettext_lazy("Month"), required=False)
    starts_on = JalaliDateField(label=gettext_lazy("From"), required=False)
    ends_on = JalaliDateField(label=gettext_lazy("To"), required=False)
    province = forms.ModelChoiceField(
        label=gettext_lazy("Province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=gettext_lazy("All provinces"),
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre"),
        queryset=Centre.objects.all(),
        required=False,
        empty_label=gettext_lazy("All centres"),
    )

    def __init__(self, *args, all_centres: bool, with_period: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All time")), *_years()]
        self.fields["quarter"].choices = [("", _("Whole year")), *_quarters()]
        self.fields["month"].choices = [("", _("Whole year or quarter")), *_months()]
        if not all_centres:  # centre users see their own centre only
            del self.fields["province"]
            del self.fields["centre"]
        if not with_period:
            for name in ("quarter", "month", "starts_on", "ends_on"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end of the period cannot come before its start."))
        return cleaned

    def period(self) -> Period:
        """The period asked for; all time when none is, or the form has errors."""
        if not self.is_valid():
            return Period(label=_("All time"))
        data = self.cleaned_data
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on or ends_on:
            return Period(starts_on, ends_on, _span_label(starts_on, ends_on))
        if not data.get("year"):
            return Period(label=_("All time"))
        year = int(data["year"])
        if data.get("month"):
            return jalali_month(year, int(data["month"]))
        if data.get("quarter"):
            return jalali_quarter(year, int(data["quarter"]))
        return jalali_year(year)

    def chosen(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None
