"""Reads for the client pages: lists, the journey timeline, the worklist, the seats."""

from dataclasses import dataclass
from datetime import date, datetime

import django_filters
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Centre, Course, Trade
from centres.roles import principal_for
from hami.forms import CrispyFilterSetMixin

from .models import Assessment, Category, Client, Enrolment, EnrolmentTransition, State
from .services import seats_taken


def clients_with_current_enrolment(user):
    """The clients a user may see, each with their latest enrolment's state and course."""
    latest = Enrolment.objects.filter(client=OuterRef("pk")).order_by("-opened_at", "-pk")
    return (
        Client.objects.visible_to(user)
        .select_related("centre")
        .annotate(
            current_state=Subquery(latest.values("state")[:1]),
            current_enrolment_id=Subquery(latest.values("pk")[:1]),
            current_course_id=Subquery(latest.values("course")[:1]),
            current_course_title=Subquery(latest.values("course__title")[:1]),
            current_trade_id=Subquery(latest.values("course__trade")[:1]),
        )
    )


class ClientFilter(CrispyFilterSetMixin, django_filters.FilterSet):
    wide_filters = frozenset({"q"})

    q = django_filters.CharFilter(label=_("Search"), method="search")
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=State.choices, field_name="current_state", empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All")
    )
    course = django_filters.ModelChoiceFilter(
        label=_("Course"),
        queryset=Course.objects.none(),
        field_name="current_course_id",
        empty_label=_("All"),
    )
    trade = django_filters.ModelChoiceFilter(
        label=_("Trade"),
        queryset=Trade.objects.all(),
        field_name="current_trade_id",
        empty_label=_("All"),
    )
    centre = django_filters.ModelChoiceFilter(
        label=_("Centre"), queryset=Centre.objects.none(), empty_label=_("All")
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=[
            ("last_name", "name"),
            ("created_at", "registered"),
            ("birth_date", "birth_date"),
            ("current_state", "status"),
        ],
        field_labels={
            "name": _("Name"),
            "registered": _("Registration date"),
            "birth_date": _("Birth date"),
            "status": _("Status"),
        },
        empty_label=_("Name"),
    )

    class Meta:
        model = Client
        fields = ["q", "state", "category", "course", "trade", "centre"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["course"].queryset = Course.objects.visible_to(user).order_by("-starts_on")
        if principal_for(user).sees_all_centres:
            self.filters["centre"].queryset = Centre.objects.all()
        else:
            del self.filters["centre"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by("last_name", "first_name", "pk")
        return queryset


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime | date
    kind: str  # "transition" | "assessment"
    item: object


def timeline(client: Client) -> list[TimelineEntry]:
    """The client's whole journey, oldest first: every assessment and every step."""
    transitions = EnrolmentTransition.objects.filter(enrolment__client=client).select_related(
        "by", "enrolment__centre", "enrolment__course"
    )
    assessments = (
        Assessment.objects.filter(client=client)
        .select_related("assessor")
        .prefetch_related("preferred_trades")
    )
    entries = [TimelineEntry(t.at, "transition", t) for t in transitions]
    entries += [TimelineEntry(a.created_at, "assessment", a) for a in assessments]
    return sorted(entries, key=lambda entry: entry.at)


@dataclass
class Worklist:
    intake: list
    reviews_due: list
    seat_offers: list
    waiting: list
    in_training: int
    seats_taken: int
    capacity: int

    @property
    def seats_free(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


def worklist(centre: Centre, *, today: date | None = None) -> Worklist:
    today = today or timezone.localdate()
    base = Enrolment.objects.filter(centre=centre).select_related("client", "course")
    return Worklist(
        intake=list(base.filter(state=State.INTAKE).order_by("opened_at")),
        reviews_due=list(
            base.filter(state=State.NOT_READY, review_on__lte=today).order_by("review_on")
        ),
        seat_offers=list(
            base.filter(state=State.WAITING, seat_offered_at__isnull=False).order_by(
                "seat_offered_at"
            )
        ),
        waiting=list(Enrolment.objects.waiting_list(centre).select_related("client", "course")),
        in_training=Enrolment.objects.in_training(centre).count(),
        seats_taken=seats_taken(centre),
        capacity=centre.training_capacity,
    )


def training_now(centre: Centre):
    return (
        Enrolment.objects.in_training(centre)
        .select_related("client", "course")
        .order_by("course__title", "client__last_name")
    )


def open_enrolment(client: Client) -> Enrolment | None:
    return Enrolment.objects.filter(client=client).open().select_related("course", "centre").first()
