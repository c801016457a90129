"""The figures of the national and centre dashboards, each as `dashboard.definitions`
defines it in words.

Every figure is a conditional aggregate (`Count(..., filter=Q(...))`) grouped by centre,
so the whole dashboard costs the same small number of queries for 16 centres or 1,000:
the per-centre rows come from the database, the province rows and the network's totals
are their sums, made here. Only counts of *people* (a person may have enrolled at two
centres) and the median income cannot be summed, and are asked of the database for each
level.

The callers run inside a scope (a request's, or `all_centres_scope()`), and narrow the
figures with `Filters`: a period, a province, a centre. Centre users get a `Filters` fixed
to their own centre by the view.
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from centres.models import Centre
from clients.models import EXCLUDED_EXIT_REASONS, Enrolment, EnrolmentTransition, ExitReason, State
from clients.workflow import Action
from loans.arrears import portfolio
from loans.models import LENT_STATES, LoanApplication
from loans.models import State as LoanState
from loans.selectors import credit_lines_with_ledgers
from placements.models import (
    WORKING_OUTCOMES,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Placement,
    PlacementKind,
)

from .periods import Period, months_in

# -- the definitions, as queries ------------------------------------------------------------

EXCLUDED = Q(state=State.WITHDRAWN, exit_reason__in=sorted(EXCLUDED_EXIT_REASONS))
COUNTED = ~EXCLUDED
SUCCESSFUL_STATES = (State.TRAINED, State.PLACED, State.SEEKING_WORK, State.SUSTAINED)
IN_TRAINING_STATES = (State.TRAINING, State.WAITING)
BEFORE_TRAINING_STATES = (State.INTAKE, State.ASSESSED)
AFTER_PLACEMENT_STATES = (State.PLACED, State.SUSTAINED, State.SEEKING_WORK)
# States an enrolment can reach without an assessment or a placement (parked or left from
# any step): for them the log or the placements say whether the step happened.
LEFT_EARLY_STATES = (State.WITHDRAWN, State.NOT_READY)


# The subqueries are made when a figure is asked for, inside the caller's scope.
def was_assessed() -> Q:
    assessed = EnrolmentTransition.objects.filter(
        enrolment=OuterRef("pk"), action__in=(Action.ASSESS_READY, Action.ASSESS_NOT_READY)
    )
    return ~Q(state__in=(State.INTAKE, *LEFT_EARLY_STATES)) | (
        Q(state__in=LEFT_EARLY_STATES) & Q(Exists(assessed))
    )


def was_placed() -> Q:
    placements = Placement.objects.filter(enrolment=OuterRef("pk"))
    return Q(state__in=AFTER_PLACEMENT_STATES) | (Q(state=State.WITHDRAWN) & Q(Exists(placements)))


def got_a_loan() -> Q:
    loans = LoanApplication.objects.filter(client=OuterRef("client"), state__in=sorted(LENT_STATES))
    return Q(Exists(loans))


def benefited() -> Q:
    return was_placed() | got_a_loan()


RETENTION_MONTHS = (1, 3, 6, 12)
# A follow-up that was recorded or whose window closed unrecorded: it can say whether the
# client was working.
SETTLED = (FollowUpStatus.DONE, FollowUpStatus.MISSED)
WORKING = sorted(WORKING_OUTCOMES)

# Loan amounts in rials: under 10 million tomans, 10–50, 50–100, 100 million and more.
AMOUNT_BANDS = (
    ("under_10m", 0, 100_000_000),
    ("10m_50m", 100_000_000, 500_000_000),
    ("50m_100m", 500_000_000, 1_000_000_000),
    ("over_100m", 1_000_000_000, None),
)


@dataclass(frozen=True)
class Filters:
    """Which figures: entrants and follow-ups of `period`, of one province or centre or the
    whole network; `on` is today, for what "now" and "overdue" mean."""

    period: Period
    on: date
    province_id: int | None = None
    centre_id: int | None = None

    def narrow(self, queryset, centre_path: str = "centre"):
        """`queryset` narrowed to the province and centre chosen; `centre_path` leads from
        its rows to their centre (`"pk"` for centres themselves)."""
        if self.centre_id is not None:
            queryset = queryset.filter(**{centre_path: self.centre_id})
        if self.province_id is not None:
            prefix = "" if centre_path == "pk" else f"{centre_path}__"
            queryset = queryset.filter(**{f"{prefix}province": self.province_id})
        return queryset


# -- rows --------------------------------------------------------------------------------


def ratio(part, whole) -> Decimal | None:
    """part / whole, or None when there is nothing to divide by."""
    if not whole:
        return None
    return Decimal(part or 0) / Decimal(whole)


@dataclass
class Row:
    """The figures of one centre, one province or the network: counts and sums in `n`
    (a missing one is 0), and the shares worked out from them."""

    key: int | None
    name: str
    province: str = ""
    n: Counter = field(default_factory=Counter)

    def add(self, counts) -> None:
        for name, value in counts.items():
            self.n[name] += value or 0

    def share(self, part: str, whole: str) -> Decimal | None:
        return ratio(self.n[part], self.n[whole])

    # The shares the tables and cards show.
    @property
    def seat_use(self):
        return self.share("seats_used", "seats")

    @property
    def successful_rate(self):
        return self.share("successful", "entrants")

    @property
    def on_time_rate(self):
        return self.share("on_time", "due")

    @property
    def employed_6(self):
        return self.share("working_6", "settled_6")

    @property
    def employed_12(self):
        return self.share("working_12", "settled_12")

    @property
    def certificate_rate(self):
        return self.share("certified", "trained")

    @property
    def same_employer_rate(self):
        return self.share("same_employer", "same_employer_base")

    @property
    def par30(self):
        return self.share("at_risk_30", "outstanding")

    @property
    def par90(self):
        return self.share("at_risk_90", "outstanding")

    def funnel(self) -> list[tuple[str, int, Decimal | None]]:
        """(definition key, count, share of entrants) for each step of the funnel."""
        steps = [
            "entrants",
            "assessed",
            "trained",
            "placed",
            "sustained",
            "withdrawn",
            "in_training",
        ]
        return [(step, self.n[step], self.share(step, "entrants")) for step in steps]

    def retention(self) -> list[tuple[int, int, int, Decimal | None]]:
        """(months, settled, working, share working) at each follow-up."""
        return [
            (
                m,
                self.n[f"settled_{m}"],
                self.n[f"working_{m}"],
                self.share(f"working_{m}", f"settled_{m}"),
            )
            for m in RETENTION_MONTHS
        ]


# -- the queries -----------------------------------------------------------------------------


def _funnel_counts() -> dict:
    counted = COUNTED
    sums = {
        "entrants": Count("pk", filter=counted),
        "excluded": Count("pk", filter=EXCLUDED),
        "assessed": Count("pk", filter=counted & was_assessed()),
        "trained": Count("pk", filter=counted & Q(training_finished_on__isnull=False)),
        "certified": Count(
            "pk",
            filter=counted & Q(training_finished_on__isnull=False) & ~Q(certificate_number=""),
        ),
        "placed": Count("pk", filter=counted & was_placed()),
        "sustained": Count("pk", filter=Q(state=State.SUSTAINED)),
        "withdrawn": Count("pk", filter=counted & Q(state__in=(State.WITHDRAWN, State.NOT_READY))),
        "in_training": Count("pk", filter=Q(state__in=IN_TRAINING_STATES)),
        "before_training": Count("pk", filter=Q(state__in=BEFORE_TRAINING_STATES)),
        "successful": Count("pk", filter=Q(state__in=SUCCESSFUL_STATES)),
    }
    for reason in sorted(EXCLUDED_EXIT_REASONS):
        sums[f"excluded_{reason}"] = Count("pk", filter=EXCLUDED & Q(exit_reason=reason))
    for state in State.values:
        sums[f"state_{state}"] = Count("pk", filter=counted & Q(state=state))
    return sums


def _entrants(filters: Filters):
    return filters.narrow(Enrolment.objects.filter(**filters.period.datetime_lookup("opened_at")))


def _people_counts() -> dict:
    return {
        "people": Count("client", distinct=True, filter=COUNTED),
        "benefited": Count("client", distinct=True, filter=COUNTED & benefited()),
    }


def _follow_ups(filters: Filters):
    return filters.narrow(
        FollowUp.objects.filter(due_on__lte=filters.on)
        .filter(**filters.period.date_lookup("due_on"))
        .exclude(status=FollowUpStatus.CANCELLED)
        .exclude(
            placement__enrolment__state=State.WITHDRAWN,
            placement__enrolment__exit_reason__in=sorted(EXCLUDED_EXIT_REASONS),
        )
    )


def _follow_up_counts() -> dict:
    window_closes = ExpressionWrapper(
        F("due_on") + timedelta(days=settings.HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER),
        output_field=DateField(),
    )
    done = Q(status=FollowUpStatus.DONE)
    sums = {
        "due": Count("pk"),
        "done": Count("pk", filter=done),
        "on_time": Count("pk", filter=done & Q(contacted_on__lte=window_closes)),
        "late": Count("pk", filter=done & Q(contacted_on__gt=window_closes)),
        "missed": Count("pk", filter=Q(status=FollowUpStatus.MISSED)),
        "still_open": Count(
            "pk", filter=Q(status__in=(FollowUpStatus.SCHEDULED, FollowUpStatus.DUE))
        ),
    }
    for months in RETENTION_MONTHS:
        at = Q(months_after=months, status__in=SETTLED)
        sums[f"settled_{months}"] = Count("pk", filter=at)
        sums[f"working_{months}"] = Count("pk", filter=at & done & Q(outcome__in=WORKING))
    return sums


def _same_employer_counts() -> dict:
    def follow_up(months, **fields):
        return Exists(
            FollowUp.objects.filter(placement=OuterRef("pk"), months_after=months, **fields)
        )

    base = Q(follow_up(6, status=FollowUpStatus.DONE, outcome=Outcome.SAME_JOB)) & Q(
        follow_up(12, status__in=SETTLED)
    )
    return {
        "same_employer_base": Count("pk", filter=base),
        "same_employer": Count(
            "pk",
            filter=base & Q(follow_up(12, status=FollowUpStatus.DONE, outcome=Outcome.SAME_JOB)),
        ),
    }


def _same_employer_placements(filters: Filters):
    """Wage jobs whose 12-month follow-up falls due in the period (and by today)."""
    twelve = FollowUp.objects.filter(
        placement=OuterRef("pk"), months_after=12, due_on__lte=filters.on
    ).filter(**filters.period.date_lookup("due_on"))
    return filters.narrow(
        Placement.objects.filter(kind=PlacementKind.WAGE_JOB).filter(Exists(twelve))
    ).exclude(
        enrolment__state=State.WITHDRAWN,
        enrolment__exit_reason__in=sorted(EXCLUDED_EXIT_REASONS),
    )


def _loan_counts() -> dict:
    approved = Q(state__in=sorted(LENT_STATES | {LoanState.APPROVED}))
    sums = {
        "applications": Count("pk"),
        "requested": Coalesce(Sum("requested_amount"), 0),
        "approved": Coalesce(Sum("approved_amount", filter=approved), 0),
        "disbursed": Coalesce(Sum("approved_amount", filter=Q(state__in=sorted(LENT_STATES))), 0),
    }
    for state in LoanState.values:
        sums[f"loans_{state}"] = Count("pk", filter=Q(state=state))
    for key, low, high in AMOUNT_BANDS:
        band = Q(amount__gte=low) & (Q(amount__lt=high) if high is not None else Q())
        sums[f"band_{key}"] = Count("pk", filter=band)
        sums[f"band_{key}_amount"] = Coalesce(Sum("amount", filter=band), 0)
    return sums


def _network_counts() -> dict:
    return {
        "training": Count("pk", filter=Q(state=State.TRAINING)),
        "seats_used": Count(
            "pk",
            filter=Q(state=State.TRAINING) | Q(state=State.WAITING, seat_offered_at__isnull=False),
        ),
        "waiting": Count("pk", filter=Q(state=State.WAITING)),
    }


def _grouped(queryset, sums: dict, path: str = "centre") -> dict[int, dict]:
    return {row.pop(path): row for row in queryset.values(path).annotate(**sums).order_by()}


def median_income_at_6_months(filters: Filters) -> int | None:
    """One query. The values are read and the median taken here: SQLite has no median,
    and the 6-month follow-ups of a period are a column of integers."""
    incomes = (
        _follow_ups(filters)
        .filter(
            months_after=6,
            status=FollowUpStatus.DONE,
            outcome__in=WORKING,
            monthly_income__isnull=False,
        )
        .values_list("monthly_income", flat=True)
    )
    values = list(incomes)
    if not values:
        return None
    return int(statistics.median(values))


# -- the dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    filters: Filters
    total: Row
    centres: list[Row]
    provinces: list[Row]
    median_income_6: int | None
    credit_lines: list | None  # (line, ledger), for the national office only
    trend: list[tuple[Period, Counter]]


def _province_name(row: dict, language_fa: bool) -> str:
    return row["province__name_fa"] if language_fa else row["province__name_en"]


def dashboard(filters: Filters, *, with_credit_lines: bool, persian: bool = True) -> Dashboard:
    """Every figure of the dashboard for `filters`, in a fixed number of queries."""
    centres = list(
        filters.narrow(Centre.objects.all(), "pk")
        .values(
            "pk",
            "name",
            "is_active",
            "training_capacity",
            "province",
            "province__name_fa",
            "province__name_en",
        )
        .order_by("province__name_fa", "name", "pk")
    )
    rows = {c["pk"]: Row(c["pk"], c["name"], _province_name(c, persian)) for c in centres}
    for c in centres:
        rows[c["pk"]].add({"centres": 1 if c["is_active"] else 0})
        rows[c["pk"]].add({"seats": c["training_capacity"] if c["is_active"] else 0})

    entrants = _entrants(filters)
    per_centre = [
        _grouped(filters.narrow(Enrolment.objects.all()), _network_counts()),
        _grouped(entrants, _funnel_counts()),
        _grouped(entrants, _people_counts()),
        _grouped(_follow_ups(filters), _follow_up_counts()),
        _grouped(_same_employer_placements(filters), _same_employer_counts()),
        _grouped(
            filters.narrow(
                LoanApplication.objects.filter(**filters.period.datetime_lookup("created_at"))
            ),
            _loan_counts(),
        ),
    ]
    for grouped in per_centre:
        for centre_id, counts in grouped.items():
            if centre_id in rows:
                rows[centre_id].add(counts)

    centre_portfolios, _network = portfolio(filters.narrow(LoanApplication.objects.all()))
    for p in centre_portfolios:
        if p.centre_id in rows:
            rows[p.centre_id].add(
                {
                    "outstanding": p.outstanding,
                    "at_risk_30": p.at_risk_30,
                    "at_risk_90": p.at_risk_90,
                }
            )

    # Provinces and the network: sums of the centres, but people counted once each.
    provinces: dict[int, Row] = {}
    for c in centres:
        province = provinces.setdefault(
            c["province"], Row(c["province"], _province_name(c, persian))
        )
        province.add({k: v for k, v in rows[c["pk"]].n.items() if k not in ("people", "benefited")})
    for province_id, counts in _grouped(entrants, _people_counts(), "centre__province").items():
        if province_id in provinces:
            provinces[province_id].add(counts)

    total = Row(None, "")
    for row in provinces.values():
        total.add({k: v for k, v in row.n.items() if k not in ("people", "benefited")})
    total.add(entrants.aggregate(**_people_counts()))

    return Dashboard(
        filters=filters,
        total=total,
        centres=list(rows.values()),
        provinces=sorted(provinces.values(), key=lambda r: r.name),
        median_income_6=median_income_at_6_months(filters),
        credit_lines=credit_lines_with_ledgers() if with_credit_lines else None,
        trend=monthly_trend(filters),
    )


def monthly_trend(filters: Filters) -> list[tuple[Period, Counter]]:
    """Entrants, placements started, withdrawals and sustained closures for each Jalali
    month of the period (the last twelve for all time): two queries."""
    months = months_in(filters.period, today=filters.on)
    start, _ = months[0].bounds()
    _, end = months[-1].bounds()
    enrolment_sums = {}
    placement_sums = {}
    for i, month in enumerate(months):
        opened = Q(**month.datetime_lookup("opened_at"))
        closed = Q(**month.datetime_lookup("closed_at"))
        enrolment_sums[f"entrants_{i}"] = Count("pk", filter=COUNTED & opened)
        enrolment_sums[f"withdrawn_{i}"] = Count(
            "pk", filter=COUNTED & Q(state=State.WITHDRAWN) & closed
        )
        enrolment_sums[f"sustained_{i}"] = Count("pk", filter=Q(state=State.SUSTAINED) & closed)
        placement_sums[f"placed_{i}"] = Count("pk", filter=Q(**month.date_lookup("starts_on")))
    enrolments = filters.narrow(Enrolment.objects.all()).filter(
        Q(opened_at__gte=start, opened_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
    )
    counts = Counter(enrolments.aggregate(**enrolment_sums))
    counts.update(
        filters.narrow(
            Placement.objects.filter(starts_on__gte=months[0].first, starts_on__lte=months[-1].last)
        )
        .exclude(
            enrolment__state=State.WITHDRAWN,
            enrolment__exit_reason__in=sorted(EXCLUDED_EXIT_REASONS),
        )
        .aggregate(**placement_sums)
    )
    return [
        (
            month,
            Counter(
                {
                    series: counts[f"{series}_{i}"]
                    for series in ("entrants", "placed", "withdrawn", "sustained")
                }
            ),
        )
        for i, month in enumerate(months)
    ]


# -- cohorts ---------------------------------------------------------------------------------

# Where a cohort's entrants are now, in the order the page shows them.
COHORT_COLUMNS = (
    ("before_training", BEFORE_TRAINING_STATES),
    ("in_training", IN_TRAINING_STATES),
    ("trained", (State.TRAINED,)),
    ("placed", (State.PLACED, State.SEEKING_WORK)),
    ("sustained", (State.SUSTAINED,)),
    ("withdrawn", (State.WITHDRAWN, State.NOT_READY)),
)


def cohorts(filters: Filters, quarters: list[Period]) -> list[tuple[Period, Row]]:
    """For each quarter, its entrants and where they are now: one query."""
    start, _ = quarters[0].bounds()
    _, end = quarters[-1].bounds()
    sums = {}
    for i, quarter in enumerate(quarters):
        opened = COUNTED & Q(**quarter.datetime_lookup("opened_at"))
        sums[f"entrants_{i}"] = Count("pk", filter=opened)
        sums[f"excluded_{i}"] = Count(
            "pk", filter=EXCLUDED & Q(**quarter.datetime_lookup("opened_at"))
        )
        for column, states in COHORT_COLUMNS:
            sums[f"{column}_{i}"] = Count("pk", filter=opened & Q(state__in=states))
    counts = filters.narrow(
        Enrolment.objects.filter(opened_at__gte=start, opened_at__lt=end)
    ).aggregate(**sums)
    result = []
    for i, quarter in enumerate(quarters):
        row = Row(None, quarter.label)
        row.add({"entrants": counts[f"entrants_{i}"], "excluded": counts[f"excluded_{i}"]})
        row.add({column: counts[f"{column}_{i}"] for column, _ in COHORT_COLUMNS})
        result.append((quarter, row))
    return result


def exit_reason_labels() -> dict[str, str]:
    return {reason: ExitReason(reason).label for reason in sorted(EXCLUDED_EXIT_REASONS)}
