"""Reads for the placement pages: the follow-up worklist and its navbar counts, employers
and what came of the placements with them."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Centre
from clients.models import Enrolment, State
from hami.forms import CrispyFilterSetMixin

from .models import (
    Employer,
    EmployerKind,
    EmployerQuerySet,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Placement,
)

# -- the follow-up worklist --------------------------------------------------------------

UPCOMING_DAYS = 7


def _overdue_before(today: date) -> date:
    """Follow-ups due before this day are past their window: overdue."""
    return today - timedelta(days=settings.HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER)


@dataclass
class FollowUpWorklist:
    today: list = field(default_factory=list)  # due today or earlier, window still open
    this_week: list = field(default_factory=list)  # due in the coming days
    overdue: list = field(default_factory=list)  # the window closed with no record
    seeking_work: list = field(default_factory=list)  # job ended: to be placed again


def follow_up_worklist(centre: Centre, *, today: date | None = None) -> FollowUpWorklist:
    """A centre's follow-ups to call, by their dates (right even before today's sweep has
    run), and the clients whose job ended and who are supported towards a new one."""
    today = today or timezone.localdate()
    overdue_before = _overdue_before(today)
    rows = (
        FollowUp.objects.filter(centre=centre)
        .open()
        .filter(due_on__lte=today + timedelta(days=UPCOMING_DAYS))
        .select_related("placement__enrolment__client", "placement__employer", "assigned_to")
        .order_by("due_on", "pk")
    )
    worklist = FollowUpWorklist()
    for follow_up in rows:
        if follow_up.due_on < overdue_before:
            worklist.overdue.append(follow_up)
        elif follow_up.due_on <= today:
            worklist.today.append(follow_up)
        else:
            worklist.this_week.append(follow_up)
    worklist.seeking_work = list(
        Enrolment.objects.filter(centre=centre, state=State.SEEKING_WORK)
        .select_related("client", "course")
        .order_by("pk")
    )
    return worklist


@dataclass(frozen=True)
class FollowUpCounts:
    today: int
    overdue: int

    @property
    def total(self) -> int:
        return self.today + self.overdue


def follow_up_counts(centre: Centre, *, today: date | None = None) -> FollowUpCounts:
    """How many of a centre's follow-ups are to call today and how many are overdue: one
    query, for the navbar of every page."""
    today = today or timezone.localdate()
    overdue_before = _overdue_before(today)
    counts = (
        FollowUp.objects.filter(centre=centre)
        .open()
        .filter(due_on__lte=today)
        .aggregate(
            today=Count("pk", filter=Q(due_on__gte=overdue_before)),
            overdue=Count("pk", filter=Q(due_on__lt=overdue_before)),
        )
    )
    return FollowUpCounts(today=counts["today"], overdue=counts["overdue"])


# -- placements --------------------------------------------------------------------------


def placement_with_follow_ups(placement: Placement) -> list[FollowUp]:
    return list(
        placement.follow_ups.select_related("assigned_to", "recorded_by").order_by("months_after")
    )


def current_placement(enrolment: Enrolment) -> Placement | None:
    return (
        Placement.objects.filter(enrolment=enrolment).current().select_related("employer").first()
    )


# -- employers ---------------------------------------------------------------------------


class EmployerFilter(CrispyFilterSetMixin, django_filters.FilterSet):
    wide_filters = frozenset({"q"})

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"maxlength": EmployerQuerySet.MAX_SEARCH_LENGTH}),
        max_length=EmployerQuerySet.MAX_SEARCH_LENGTH,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=EmployerKind.choices, empty_label=_("All")
    )
    is_active = django_filters.ChoiceFilter(
        label=_("Active"),
        choices=[("1", _("Active")), ("0", _("No longer active"))],
        method="active",
        empty_label=_("All"),
    )

    class Meta:
        model = Employer
        fields = ["q", "kind", "is_active"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs


def employers_for(user):
    """The employers a user may see, each with how many clients were placed there and how
    many are still in the job."""
    return (
        Employer.objects.visible_to(user)
        .select_related("centre", "province")
        .annotate(
            placed=Count("placements"),
            current=Count("placements", filter=Q(placements__ended_on__isnull=True)),
        )
        .order_by("name", "pk")
    )


# The follow-ups at which employers' partnerships are judged: still working there then.
RETENTION_MONTHS = (6, 12)


@dataclass(frozen=True)
class Retention:
    months: int
    followed_up: int  # placements whose follow-up at that month was recorded
    still_working: int  # of those, still in the same job

    @property
    def known(self) -> bool:
        return self.followed_up > 0


@dataclass
class EmployerRecord:
    placements: list
    retention: list[Retention]
    repeat_placements: int


def employer_record(employer: Employer) -> EmployerRecord:
    """What came of the placements with an employer: the people placed there, how many of
    those followed up were still working there at 6 and 12 months, and the repeat
    placements (those that started after the employer's first hire: the employer came
    back to the centre)."""
    placements = list(
        employer.placements.select_related("enrolment__client", "opening")
        .prefetch_related("follow_ups")
        .order_by("-starts_on", "-pk")
    )
    done = (
        FollowUp.objects.filter(
            placement__employer=employer,
            months_after__in=RETENTION_MONTHS,
            status=FollowUpStatus.DONE,
        )
        .values("months_after")
        .annotate(
            followed_up=Count("pk"),
            still_working=Count("pk", filter=Q(outcome=Outcome.SAME_JOB)),
        )
    )
    by_month = {row["months_after"]: row for row in done}
    retention = [
        Retention(
            months=months,
            followed_up=by_month.get(months, {}).get("followed_up", 0),
            still_working=by_month.get(months, {}).get("still_working", 0),
        )
        for months in RETENTION_MONTHS
    ]
    first = employer.placements.aggregate(first=Min("starts_on"))["first"]
    repeat = employer.placements.filter(starts_on__gt=first).count() if first else 0
    return EmployerRecord(placements=placements, retention=retention, repeat_placements=repeat)
