from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, FilterSet, ModelChoiceFilter

from hami.forms import CrispyFilterSetMixin, HamiFormMixin, JalaliDateField, display_date_lazy
from hami.jalali import add_months
from hami.text import localise_digits_lazy
from hami.widgets import DigitsInput

from .models import Centre, Course, Trade

MIN_COURSE_HOURS, MAX_COURSE_HOURS = 1, 2000
# A course is entered at most this many years after it started (records of past courses),
# planned at most this many years ahead, and lasts at most this many years.
COURSE_YEARS_BACK, COURSE_YEARS_AHEAD, MAX_COURSE_YEARS = 5, 2, 2


DUPLICATE_COURSE = _(
    "This centre already has a course of this title starting on this day. If it was saved "
    "a moment ago, open it from the course list instead of adding it again."
)


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
            "title": {"required": _("Give the course a title.")},  # also when only spaces
            "trade": {"required": _("Choose the trade the course teaches.")},
        }

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self._bound_the_dates()
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

    def _bound_the_dates(self):
        """Dates a course can have: from a few years back (and not before the centre
        opened) to a few years ahead. A course already saved keeps its dates editable."""
        starts_on, ends_on = self.fields["starts_on"], self.fields["ends_on"]
        earliest = add_months(self.today, -12 * COURSE_YEARS_BACK)
        starts_on.error_messages["min_date"] = _(
            "A course that started before %(date)s is too long ago to be entered."
        )
        opened_on = self.instance.centre.opened_on if self.instance.centre_id else None
        if opened_on and opened_on > earliest:
            earliest = opened_on
            starts_on.error_messages["min_date"] = _(
                "The centre opened on %(date)s: a course cannot start before."
            )
        latest = add_months(self.today, 12 * COURSE_YEARS_AHEAD)
        starts_on.error_messages["max_date"] = _(
            "Courses are planned at most two years ahead: a course cannot start after %(date)s."
        )
        if self.instance.pk:
            earliest = min(earliest, self.instance.starts_on)
            latest = max(latest, self.instance.starts_on)
        starts_on.min_date, starts_on.max_date = earliest, latest
        ends_on.min_date = earliest
        ends_on.max_date = add_months(latest, 12 * MAX_COURSE_YEARS)

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
        elif starts_on and ends_on and ends_on > add_months(starts_on, 12 * MAX_COURSE_YEARS):
            self.add_error(
                "ends_on",
                ValidationError(
                    _("A course lasts at most two years: this one must end by %(date)s."),
                    code="too_long",
                    params={
                        "date": display_date_lazy(add_months(starts_on, 12 * MAX_COURSE_YEARS))
                    },
                ),
            )
        title = cleaned.get("title")
        if title and starts_on and self._same_course_exists(title, starts_on):
            self.add_error(
                None,
                ValidationError(DUPLICATE_COURSE, code="duplicate_course"),
            )
        return cleaned

    def _same_course_exists(self, title, starts_on) -> bool:
        # The instance's centre is the user's own (the view sets it), so the query stays
        # inside the request's scope.
        return (
            Course.objects.filter(
                centre_id=self.instance.centre_id, title__iexact=title, starts_on=starts_on
            )
            .exclude(pk=self.instance.pk)
            .exists()
        )

    def save_unless_duplicate(self) -> Course | None:
        """Save the course, or say it exists when the same course was saved a moment ago
        (two submits at once pass `clean` together; the database lets one through)."""
        try:
            with transaction.atomic():
                return self.save()
        except IntegrityError:
            if not self._same_course_exists(self.instance.title, self.instance.starts_on):
                raise
            self.add_error(None, ValidationError(DUPLICATE_COURSE, code="duplicate_course"))
            return None


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
