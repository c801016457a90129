"""Reads for the placement pages: the follow-up worklist and its navbar counts, employers
and what came of the placements with them."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from centres.models import Centre, Trade
from clients.models import Assessment, Enrolment, State
from hami.forms import CrispyFilterSetMixin
from hami.text import localise_digits

from .models import (
    Employer,
    EmployerKind,
    EmployerQuerySet,
    FollowUp,
    FollowUpStatus,
    Opening,
    Outcome,
    Placement,
    overdue_before,
)

# -- the follow-up worklist --------------------------------------------------------------

UPCOMING_DAYS = 7


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
    overdue_on = overdue_before(today)
    rows = (
        FollowUp.objects.filter(centre=centre)
        .open()
        .filter(due_on__lte=today + timedelta(days=UPCOMING_DAYS))
        .select_related("placement__enrolment__client", "placement__employer", "assigned_to")
        .order_by("due_on", "pk")
    )
    worklist = FollowUpWorklist()
    for follow_up in rows:
        if follow_up.due_on < overdue_on:
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
    overdue_on = overdue_before(today)
    counts = (
        FollowUp.objects.filter(centre=centre)
        .open()
        .filter(due_on__lte=today)
        .aggregate(
            today=Count("pk", filter=Q(due_on__gte=overdue_on)),
            overdue=Count("pk", filter=Q(due_on__lt=overdue_on)),
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


# -- openings and the candidates they suggest ---------------------------------------------

# Whom an opening suggests: clients trained and not yet in work, and those whose job ended
# and who are supported towards a new one.
CANDIDATE_STATES = (State.TRAINED, State.SEEKING_WORK)
SUGGESTIONS_SHOWN = 20


class OpeningFilter(CrispyFilterSetMixin, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("Open")), ("closed", _("Closed or full"))],
        method="by_status",
        empty_label=_("All"),
    )
    trade = django_filters.ModelChoiceFilter(
        label=_("Trade"), queryset=Trade.objects.all(), empty_label=_("All")
    )

    class Meta:
        model = Opening
        fields = ["status", "trade"]

    def by_status(self, queryset, name, value):
        open_now = queryset.open_on(timezone.localdate())
        return open_now if value == "open" else queryset.exclude(pk__in=open_now.values("pk"))

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs


def openings_for(user):
    return (
        Opening.objects.visible_to(user)
        .select_related("employer", "trade", "centre")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Suggestion:
    """A client an opening suggests, and why: each reason a sentence for the page."""

    enrolment: Enrolment
    reasons: list[str]


def _preferred_trade(trade_id):
    """Whether the client named the trade among their preferred trades at an assessment."""
    preferred = Assessment.preferred_trades.through.objects.filter(
        assessment__client=OuterRef("client_id"), trade_id=trade_id
    )
    return Exists(preferred)


def suggestions(opening: Opening, *, today: date | None = None, limit=SUGGESTIONS_SHOWN):
    """The centre's clients to suggest for `opening`, best first: those trained in its
    trade, then those who prefer it; among them those living in its city; then whoever has
    waited longest for work since their training ended (or their last job). One query."""
    today = today or timezone.localdate()
    last_job_ended = (
        Placement.objects.filter(enrolment=OuterRef("pk"), ended_on__isnull=False)
        .order_by("-ended_on")
        .values("ended_on")[:1]
    )
    candidates = (
        Enrolment.objects.filter(centre=opening.centre_id, state__in=CANDIDATE_STATES)
        .annotate(
            trained_in_trade=Case(
                When(course__trade_id=opening.trade_id, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            prefers_trade=_preferred_trade(opening.trade_id),
            same_city=Case(
                When(client__city=opening.city, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            waited_since=Coalesce(Subquery(last_job_ended), "training_finished_on"),
        )
        .filter(Q(trained_in_trade=True) | Q(prefers_trade=True))
        .select_related("client", "course__trade")
        .order_by(
            "-trained_in_trade",
            "-prefers_trade",
            "-same_city",
            F("waited_since").asc(nulls_last=True),
            "pk",
        )[:limit]
    )
    return [
        Suggestion(enrolment=candidate, reasons=_reasons(candidate, opening, today))
        for candidate in candidates
    ]


def _reasons(candidate: Enrolment, opening: Opening, today: date) -> list[str]:
    reasons = []
    if candidate.trained_in_trade:
        reasons.append(
            gettext("Trained in %(trade)s (%(course)s).")
            % {"trade": opening.trade, "course": candidate.course}
        )
    if candidate.prefers_trade:
        reasons.append(
            gettext("Named %(trade)s among the trades they prefer.") % {"trade": opening.trade}
        )
    if candidate.same_city:
        reasons.append(gettext("Lives in %(city)s.") % {"city": candidate.client.city})
    if candidate.waited_since:
        days = max((today - candidate.waited_since).days, 0)
        if candidate.state == State.SEEKING_WORK:
            message = ngettext(
                "Looking for work again for %(days)s day.",
                "Looking for work again for %(days)s days.",
                days,
            )
        else:
            message = ngettext(
                "Waiting for work for %(days)s day since the training ended.",
                "Waiting for work for %(days)s days since the training ended.",
                days,
            )
        reasons.append(message % {"days": localise_digits(str(days))})
    return reasons


def matching_openings(enrolment: Enrolment, *, today: date | None = None, limit=10):
    """The centre's open openings in the trade of the client's course or one they prefer,
    those in the client's city first: what the client page offers."""
    today = today or timezone.localdate()
    preferred = Assessment.preferred_trades.through.objects.filter(
        assessment__client=enrolment.client_id
    ).values("trade_id")
    trades = Q(trade_id__in=preferred)
    if enrolment.course_id is not None:
        trades |= Q(trade_id=enrolment.course.trade_id)
    return list(
        Opening.objects.filter(centre=enrolment.centre_id)
        .open_on(today)
        .filter(trades)
        .annotate(
            same_city=Case(
                When(city=enrolment.client.city, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("employer", "trade")
        .order_by("-same_city", "open_until", "pk")[:limit]
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
    many are still in the job. Counted for the employers of the page alone (a subquery a
    row, through the placements' employer index), not grouped over every placement of
    the network before the page is picked."""
    placements = Placement.objects.filter(employer=OuterRef("pk")).order_by()
    return (
        Employer.objects.visible_to(user)
        .select_related("centre", "province")
        .annotate(
            placed=_count(placements),
            current=_count(placements.filter(ended_on__isnull=True)),
        )
        .order_by("name", "pk")
    )


def _count(rows):
    return Coalesce(Subquery(rows.values("employer").annotate(n=Count("pk")).values("n")), 0)


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
