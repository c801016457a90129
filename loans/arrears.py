"""Arrears, worked out as of a day: the daily task's update of days past due and statuses,
the follow-up tasks it opens, and the portfolio reports (ageing buckets, PAR30 and PAR90).

The update is set-based: two UPDATE statements give every active loan its oldest unpaid
due date and its days past due, whatever the number of loans; only the few loans with a
hardship pause are worked out one by one (the paused days are taken off). Defaults are
workflow steps, made and logged set-based by `workflow.move_all`; follow-up tasks are
inserted in bulk."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from centres.models import Centre, Membership

from .models import (
    ACTIVE_STATES,
    ArrearsFollowUp,
    HardshipPause,
    Installment,
    LoanApplication,
)
from .selectors import days_past_due
from .workflow import Action, move_all

FOLLOW_UP_AFTER_DAYS = 30


class DaysBetween(models.Func):
    """`later − earlier` in whole days, for two date expressions, on SQLite and PostgreSQL."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(%(expressions)s)",
            arg_joiner=")::date - (",
            **extra_context,
        )


@dataclass
class ArrearsRun:
    """What one run did, for the task's log and the tests."""

    on: date
    loans: int = 0
    in_arrears: int = 0
    paused: int = 0
    defaulted: list[int] = field(default_factory=list)
    follow_ups_opened: int = 0


def update_arrears(*, on: date, at: datetime | None = None) -> ArrearsRun:
    """Bring every active loan's days past due and status up to date as of the day `on`.
    Safe to run twice for the same day. The caller opens the all-centres scope. The steps
    it logs are dated `at`: now for today's run, the end of the day `on` for a past day's."""
    if at is None:
        end_of_day = timezone.make_aware(datetime.combine(on, time(23, 59)))
        at = min(timezone.now(), end_of_day) if on <= timezone.localdate() else end_of_day
    run = ArrearsRun(on=on)
    with transaction.atomic():
        active = LoanApplication.objects.filter(state__in=ACTIVE_STATES)
        oldest_unpaid = (
            Installment.objects.filter(loan=OuterRef("pk"), paid_on__isnull=True, due_on__lt=on)
            .order_by()
            .values("loan")
            .annotate(first=models.Min("due_on"))
            .values("first")
        )
        run.loans = active.update(overdue_since=Subquery(oldest_unpaid), arrears_as_of=on)
        paused_loans = HardshipPause.objects.filter(cancelled_at__isnull=True).values("loan")
        unpaused = active.exclude(pk__in=paused_loans)
        unpaused.filter(overdue_since__isnull=True).update(days_past_due=0)
        unpaused.filter(overdue_since__isnull=False).update(
            days_past_due=DaysBetween(
                Value(on, output_field=models.DateField()), F("overdue_since")
            )
        )
        run.paused = _update_paused(active.filter(pk__in=paused_loans), on=on)
        # Loans that left the active states owe nothing overdue.
        LoanApplication.objects.exclude(state__in=ACTIVE_STATES).filter(days_past_due__gt=0).update(
            days_past_due=0, overdue_since=None
        )
        run.in_arrears = active.filter(days_past_due__gt=0).count()

    run.defaulted = _default(on=on, at=at)
    run.follow_ups_opened = _open_follow_ups(on=on)
    return run


def _update_paused(loans, *, on: date) -> int:
    """Loans with a hardship pause: the paused days are not days past due."""
    loans = list(loans.prefetch_related("pauses"))
    for loan in loans:
        loan.days_past_due = days_past_due(loan.overdue_since, on, loan.pauses.all())
    LoanApplication.objects.bulk_update(loans, ["days_past_due"])
    return len(loans)


def _default(*, on: date, at: datetime) -> list[int]:
    """Loans more than HAMI_DEFAULT_DAYS behind are defaulted, each step logged, in a few
    set-based statements (`workflow.move_all`)."""
    behind = LoanApplication.objects.filter(days_past_due__gt=settings.HAMI_DEFAULT_DAYS)
    return move_all(behind, Action.DEFAULT, at=at)


def _open_follow_ups(*, on: date) -> int:
    """A loan more than 30 days behind gets a follow-up task for the client's case worker
    (the staff member who drafted the application, while still at the centre), unless it
    has one open already."""
    has_open = ArrearsFollowUp.objects.filter(loan=OuterRef("pk"), closed_at__isnull=True)
    behind = (
        LoanApplication.objects.filter(
            state__in=ACTIVE_STATES, days_past_due__gt=FOLLOW_UP_AFTER_DAYS
        )
        .exclude(Exists(has_open))
        .values_list("pk", "created_by", "centre", "days_past_due")
    )
    rows = list(behind)
    if not rows:
        return 0
    still_there = set(
        Membership.objects.filter(
            user__in={row[1] for row in rows}, user__is_active=True
        ).values_list("user", "centre")
    )
    ArrearsFollowUp.objects.bulk_create(
        [
            ArrearsFollowUp(
                loan_id=pk,
                assigned_to_id=user if (user, centre) in still_there else None,
                opened_on=on,
                days_past_due=days,
            )
            for pk, user, centre, days in rows
        ],
        ignore_conflicts=True,  # one open per loan, even if two runs overlap
    )
    return len(rows)


# -- portfolio reports ------------------------------------------------------------------

# Ageing buckets by days past due: (key, lowest, highest or None).
BUCKETS = [
    ("0", 0, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-180", 91, 180),
    ("181-360", 181, 360),
    ("361+", 361, None),
]


def _bucket_q(low: int, high: int | None) -> Q:
    q = Q(loan__days_past_due__gte=low)
    if high is not None:
        q &= Q(loan__days_past_due__lte=high)
    return q


OUTSTANDING = F("principal_due") - F("principal_paid")


@dataclass(frozen=True)
class Portfolio:
    """One centre's (or the network's) active portfolio."""

    centre_id: int | None
    centre_name: str
    outstanding: int  # principal, rials
    at_risk_30: int  # the whole outstanding principal of loans more than 30 days late
    at_risk_90: int
    buckets: dict[str, tuple[int, int]]  # key -> (loans, outstanding principal)

    @property
    def par30(self) -> Decimal | None:
        return _ratio(self.at_risk_30, self.outstanding)

    @property
    def par90(self) -> Decimal | None:
        return _ratio(self.at_risk_90, self.outstanding)


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def portfolio(loans=None) -> tuple[list[Portfolio], Portfolio]:
    """PAR30, PAR90 and the ageing buckets per centre and for the whole of `loans` (the
    active loans of the caller's scope by default), by the standard definition: the whole
    outstanding principal of every loan with an installment more than 30 (90) days late,
    over all outstanding principal. Aggregated in the database: two queries."""
    loans = loans if loans is not None else LoanApplication.objects.all()
    loans = loans.filter(state__in=ACTIVE_STATES)
    installments = Installment.objects.filter(loan__in=loans.values("pk"))
    sums = {
        "outstanding": Coalesce(Sum(OUTSTANDING), 0),
        "at_risk_30": Coalesce(Sum(OUTSTANDING, filter=Q(loan__days_past_due__gt=30)), 0),
        "at_risk_90": Coalesce(Sum(OUTSTANDING, filter=Q(loan__days_past_due__gt=90)), 0),
    }
    for key, low, high in BUCKETS:
        sums[f"b{key}"] = Coalesce(Sum(OUTSTANDING, filter=_bucket_q(low, high)), 0)
    rows = list(installments.values("loan__centre").annotate(**sums).order_by())
    counts = {}
    count_sums = {
        f"n{key}": models.Count(
            "pk",
            filter=Q(days_past_due__gte=low)
            & (Q(days_past_due__lte=high) if high is not None else Q()),
        )
        for key, low, high in BUCKETS
    }
    for row in loans.values("centre").annotate(**count_sums).order_by():
        counts[row["centre"]] = row
    names = dict(
        Centre.objects.filter(pk__in=[r["loan__centre"] for r in rows]).values_list("pk", "name")
    )

    def make(centre_id, name, row, count_row) -> Portfolio:
        return Portfolio(
            centre_id=centre_id,
            centre_name=name,
            outstanding=row["outstanding"],
            at_risk_30=row["at_risk_30"],
            at_risk_90=row["at_risk_90"],
            buckets={
                key: (count_row.get(f"n{key}", 0), row[f"b{key}"]) for key, _low, _high in BUCKETS
            },
        )

    centres = sorted(
        (
            make(
                r["loan__centre"],
                names.get(r["loan__centre"], ""),
                r,
                counts.get(r["loan__centre"], {}),
            )
            for r in rows
        ),
        key=lambda p: p.centre_name,
    )
    total = {key: sum(r[key] for r in rows) for key in sums}
    total_counts = {
        f"n{key}": sum(c.get(f"n{key}", 0) for c in counts.values()) for key, *_ in BUCKETS
    }
    return centres, make(None, "", total, total_counts)
