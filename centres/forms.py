from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, FilterSet, ModelChoiceFilter

from hami.forms import CrispyFilterSetMixin, HamiFormMixin, JalaliDateField
from hami.text import localise_digits_lazy, normalise_text
from hami.widgets import DigitsInput

from .models import Centre, Course, Trade

MIN_COURSE_HOURS, MAX_COURSE_HOURS = 1, 2000


class CourseForm(HamiFormMixin, forms.ModelForm):
    """Creates or edits a course; the view sets the centre (the user's own)."""

    starts_on = JalaliDateField(
        label=_("Starts on"),
        error_messages={"required": _("Enter the day the course starts.")},
    )
    ends_on = JalaliDateField(
        label=_("Ends on"),
        error_messages={"required": _("Enter the day the course ends.")},
    )
    hours = forms.IntegerField(
        label=_("Hours"),
        widget=DigitsInput,
        help_text=_("Total teaching hours of the course."),
        error_messages={
            "required": _("Enter the course's hours."),
            "invalid": _("Enter the course's hours as a whole number."),
        },
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "trade",
            "starts_on",
            "ends_on",
            "hours",
            "instructor",
            "awards_certificate",
        ]
        labels = {
            "title": _("Title"),
            "trade": _("Trade"),
            "instructor": _("Instructor"),
            "awards_certificate": _(
                "Trainees receive a skills certificate from the technical and vocational "
                "training organisation"
            ),
        }
        error_messages = {
            "title": {"required": _("Give the course a title.")},
            "trade": {"required": _("Choose the trade the course teaches.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Q(is_active=True)
        if self.instance.trade_id:
            active |= Q(pk=self.instance.trade_id)  # keep a since-retired trade on edit
        self.fields["trade"].queryset = Trade.objects.filter(active)
        self.fields["trade"].empty_label = _("Choose a trade")
        self.helper.layout = Layout(
            "title",
            "trade",
            Row(Column("starts_on"), Column("ends_on"), Column("hours")),
            "instructor",
            "awards_certificate",
        )

    def clean_title(self):
        title = normalise_text(self.cleaned_data["title"])
        if not title:
            raise ValidationError(self.fields["title"].error_messages["required"], code="required")
        return title

    def clean_instructor(self):
        return normalise_text(self.cleaned_data["instructor"])

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if not MIN_COURSE_HOURS <= hours <= MAX_COURSE_HOURS:
            raise ValidationError(
                _("A course has from %(min)s to %(max)s hours."),
                code="hours_range",
                params={
                    "min": localise_digits_lazy(str(MIN_COURSE_HOURS)),
                    "max": localise_digits_lazy(str(MAX_COURSE_HOURS)),
                },
            )
        return hours

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error(
                "ends_on",
                ValidationError(
                    _("The course cannot end before it starts."), code="ends_before_start"
                ),
            )
        return cleaned


class CoursePeriod(TextChoices):
    CURRENT = "current", _("Running now")
    UPCOMING = "upcoming", _("Not started yet")
    FINISHED = "finished", _("Finished")


class CourseFilter(CrispyFilterSetMixin, FilterSet):
    """The filters above the course list. Only the national office picks a centre; a
    centre's staff see their own centre's courses whatever the query string says."""

    centre = ModelChoiceFilter(
        label=_("Centre"),
        queryset=lambda request: Centre.objects.visible_to(request.user).order_by("name"),
        empty_label=_("All centres"),
    )
    trade = ModelChoiceFilter(
        label=_("Trade"), queryset=Trade.objects.all(), empty_label=_("All trades")
    )
    period = ChoiceFilter(
        label=_("When"),
        choices=CoursePeriod.choices,
        method="filter_period",
        empty_label=_("Any time"),
    )

    class Meta:
        model = Course
        fields = ["centre", "trade", "period"]

    def __init__(self, data=None, queryset=None, *, request, today=None):
        super().__init__(data, queryset, request=request)
        self.today = today or timezone.localdate()
        if not request.principal.sees_all_centres:
            del self.filters["centre"]

    def filter_period(self, queryset, name, value):
        if value == CoursePeriod.CURRENT:
            return queryset.filter(starts_on__lte=self.today, ends_on__gte=self.today)
        if value == CoursePeriod.UPCOMING:
            return queryset.filter(starts_on__gt=self.today)
        if value == CoursePeriod.FINISHED:
            return queryset.filter(ends_on__lt=self.today)
        return queryset
