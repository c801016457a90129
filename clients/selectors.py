"""Reads for the client pages: lists, the journey timeline, the worklist, the seats."""

from dataclasses import dataclass
from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Centre, Course, Trade, centre_choices
from centres.roles import principal_for
from centres.scoping import all_centres_scope
from hami.forms import CrispyFilterSetMixin
from hami.text import localise_digits_lazy

from . import client_page
from .client_page import TimelineEntry
from .models import (
    Assessment,
    Category,
    Client,
    ClientQuerySet,
    Enrolment,
    EnrolmentTransition,
    State,
)
from .services import seats_taken


def clients_with_current_enrolment(user):
    """The clients a user may see, each with their current enrolment's state (kept on the
    client) and course: one join on `Client.current_enrolment`, whatever the number of
    rows."""
    return (
        Client.objects.visible_to(user)
        .select_related("centre")
        .annotate(current_course_title=F("current_enrolment__course__title"))
    )


def client_with_identity(*, id_type: str, id_number: str, other_than: Client | None = None):
    """The client registered with this identity document at any centre, or None.

    A person is registered once in the whole network, so registration looks across every
    centre on purpose; the caller names a client of another centre only as "registered
    elsewhere" (`services.identity_taken_message`)."""
    with all_centres_scope():
        clients = Client.objects.filter(id_type=id_type, id_number=id_number)
        if other_than is not None and other_than.pk:
            clients = clients.exclude(pk=other_than.pk)
        return clients.first()


def clients_registered_with(
    *, identities: set[tuple[str, str]], file_numbers: set[str]
) -> tuple[dict[tuple[str, str], Client], set[str]]:
    """For a whole list at once (the import): the clients registered at any centre with
    one of these (id_type, id_number) identities, by identity, and which of these welfare
    file numbers are taken. Two queries, across every centre on purpose, as
    `client_with_identity` looks."""
    found, taken = {}, set()
    with all_centres_scope():
        if identities:
            clients = Client.objects.filter(
                id_number__in={number for _type, number in identities}
            ).only(
                "centre_id",
                "id_type",
                "id_number",
                "welfare_file_number",
                "first_name",
                "last_name",
            )
            found = {
                (client.id_type, client.id_number): client
                for client in clients
                if (client.id_type, client.id_number) in identities
            }
        if file_numbers:
            taken = set(
                Client.objects.filter(welfare_file_number__in=file_numbers).values_list(
                    "welfare_file_number", flat=True
                )
            )
    return found, taken


def file_number_taken(file_number: str, *, other_than: Client | None = None) -> bool:
    """Whether another client, at any centre, has this welfare file number (normalised,
    see `Client.normalise_file_number`)."""
    with all_centres_scope():
        clients = Client.objects.filter(welfare_file_number=file_number)
        if other_than is not None and other_than.pk:
            clients = clients.exclude(pk=other_than.pk)
        return clients.exists()


def validate_search(text: str) -> None:
    """A search is a few words: a name, a code, a file number. Longer text is refused with
    a message rather than turned into a query the database cannot run."""
    if len(text) > ClientQuerySet.MAX_SEARCH_LENGTH or (
        len(text.split()) > ClientQuerySet.MAX_SEARCH_WORDS
    ):
        raise ValidationError(
            _(
                "Search with at most %(words)s words and %(characters)s characters: a name, "
                "a national code or a welfare file number."
            ),
            code="search_too_long",
            params={
                "words": localise_digits_lazy(str(ClientQuerySet.MAX_SEARCH_WORDS)),
                "characters": localise_digits_lazy(str(ClientQuerySet.MAX_SEARCH_LENGTH)),
            },
        )


# The client list's orderings: each with a tie-breaker, so pages never repeat or skip a row.
CLIENT_ORDERINGS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "-registered": ("-created_at", "-pk"),
    "registered": ("created_at", "pk"),
    "-birth_date": ("-birth_date", "last_name", "pk"),
    "birth_date": ("birth_date", "last_name", "pk"),
    "status": ("current_state", "last_name", "first_name", "pk"),
}
CLIENT_ORDERING_CHOICES = [
    ("name", _("Name, A to Z")),
    ("-name", _("Name, Z to A")),
    ("-registered", _("Registered most recently")),
    ("registered", _("Registered longest ago")),
    ("-birth_date", _("Youngest first")),
    ("birth_date", _("Oldest first")),
    ("status", _("Status")),
]


class ClientFilter(CrispyFilterSetMixin, django_filters.FilterSet):
    wide_filters = frozenset({"q"})

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        validators=[validate_search],
        widget=forms.TextInput(attrs={"maxlength": ClientQuerySet.MAX_SEARCH_LENGTH}),
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=State.choices,
        field_name="current_state",
        empty_label=_("All"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All")
    )
    course = django_filters.ModelChoiceFilter(
        label=_("Course"),
        queryset=Course.objects.none(),
        field_name="current_enrolment__course",
        empty_label=_("All"),
    )
    trade = django_filters.ModelChoiceFilter(
        label=_("Trade"),
        queryset=Trade.objects.all(),
        field_name="current_enrolment__course__trade",
        empty_label=_("All"),
    )
    centre = django_filters.ChoiceFilter(label=_("Centre"), choices=[], empty_label=_("All"))
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=CLIENT_ORDERING_CHOICES,
        method="sort_by",
        empty_label=None,  # no blank line: by name unless another order is chosen
    )

    class Meta:
        model = Client
        fields = ["q", "state", "category", "course", "trade", "centre"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        courses = Course.objects.visible_to(user).only("pk", "title").order_by("-starts_on")
        if principal_for(user).sees_all_centres:
            # The network has thousands of courses: the national office picks a centre
            # first, then one of its courses.
            centre = self.data.get("centre") if self.data is not None else None
            courses = courses.filter(centre=centre) if str(centre).isdigit() else courses.none()
            self.filters["centre"].extra["choices"] = centre_choices()
        else:
            del self.filters["centre"]
        self.filters["course"].queryset = courses

    def search(self, queryset, name, value):
        return queryset.search(value)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*CLIENT_ORDERINGS[value])

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()  # the form says what to change; no guessing
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*CLIENT_ORDERINGS["name"])
        return queryset


def timeline(client: Client) -> list[TimelineEntry]:
    """The client's whole journey, oldest first: every assessment and every step, and
    what the apps built on this one add (placements, follow-ups: `client_page`)."""
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
    entries += client_page.timeline_entries(client)
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
