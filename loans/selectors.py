"""Reads for the loan pages: the credit-line ledger, a loan's position, the lists."""

from dataclasses import dataclass
from datetime import date

import django_filters
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from centres.models import centre_choices
from centres.roles import principal_for
from centres.scoping import all_centres_scope
from hami.forms import CrispyFilterSetMixin
from placements.models import Placement, PlacementKind

from .models import (
    ACTIVE_STATES,
    LENT_STATES,
    LIVE_STATES,
    CreditLine,
    HardshipPause,
    Installment,
    LoanApplication,
    LoanProduct,
    State,
)

# -- the credit-line ledger -------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """What a credit line (or one centre's share of it) has committed (approved, not yet
    disbursed), disbursed, had repaid, and has available; worked out from the loans."""

    total: int | None  # the line's total; None for a centre's share
    committed: int
    disbursed: int
    repaid: int

    @property
    def outstanding(self) -> int:
        return self.disbursed - self.repaid

    @property
    def available(self) -> int | None:
        """What may still be approved. Lines are not revolving: repaid principal goes back
        to the bank, not to the line."""
        if self.total is None:
            return None
        return self.total - self.committed - self.disbursed


def _ledger_sums(loans):
    return loans.aggregate(
        committed=Coalesce(Sum("approved_amount", filter=Q(state=State.APPROVED)), 0),
        disbursed=Coalesce(Sum("approved_amount", filter=Q(state__in=LENT_STATES)), 0),
    )


def _repaid(installments) -> int:
    return installments.aggregate(repaid=Coalesce(Sum("principal_paid"), 0))["repaid"]


def credit_line_ledger(line: CreditLine) -> Ledger:
    """The line's figures, from its loans. A line serves the whole network, so its loans
    are summed across every centre on purpose, whoever asks."""
    with all_centres_scope():
        sums = _ledger_sums(LoanApplication.objects.filter(credit_line=line))
        repaid = _repaid(Installment.objects.filter(loan__credit_line=line))
    return Ledger(line.total_amount, sums["committed"], sums["disbursed"], repaid)


@dataclass(frozen=True)
class CentreShare:
    centre_id: int
    centre_name: str
    ledger: Ledger


def credit_line_by_centre(line: CreditLine) -> list[CentreShare]:
    """The line's figures for each centre that has loans on it: two grouped queries."""
    rows = (
        LoanApplication.objects.filter(credit_line=line)
        .values("centre", "centre__name")
        .annotate(
            committed=Coalesce(Sum("approved_amount", filter=Q(state=State.APPROVED)), 0),
            disbursed=Coalesce(Sum("approved_amount", filter=Q(state__in=LENT_STATES)), 0),
        )
        .order_by("centre__name")
    )
    repaid = dict(
        Installment.objects.filter(loan__credit_line=line)
        .values("loan__centre")
        .annotate(repaid=Coalesce(Sum("principal_paid"), 0))
        .values_list("loan__centre", "repaid")
    )
    return [
        CentreShare(
            row["centre"],
            row["centre__name"],
            Ledger(None, row["committed"], row["disbursed"], repaid.get(row["centre"], 0)),
        )
        for row in rows
    ]


def credit_lines_with_ledgers() -> list[tuple[CreditLine, Ledger]]:
    """Every line with its figures, in three queries whatever the number of lines."""
    lines = list(CreditLine.objects.prefetch_related("provinces"))
    with all_centres_scope():
        return _with_ledgers(lines)


def _with_ledgers(lines):
    sums = {
        row["credit_line"]: row
        for row in LoanApplication.objects.filter(credit_line__isnull=False)
        .values("credit_line")
        .annotate(
            committed=Coalesce(Sum("approved_amount", filter=Q(state=State.APPROVED)), 0),
            disbursed=Coalesce(Sum("approved_amount", filter=Q(state__in=LENT_STATES)), 0),
        )
    }
    repaid = dict(
        Installment.objects.filter(loan__credit_line__isnull=False)
        .values("loan__credit_line")
        .annotate(repaid=Coalesce(Sum("principal_paid"), 0))
        .values_list("loan__credit_line", "repaid")
    )
    result = []
    for line in lines:
        row = sums.get(line.pk, {"committed": 0, "disbursed": 0})
        ledger = Ledger(
            line.total_amount, row["committed"], row["disbursed"], repaid.get(line.pk, 0)
        )
        result.append((line, ledger))
    return result


def lines_for_approval(application: LoanApplication, *, on: date):
    """The lines a loan could be approved against today: valid, serving its province."""
    return (
        CreditLine.objects.filter(valid_from__lte=on, valid_to__gte=on)
        .filter(Q(provinces__isnull=True) | Q(provinces=application.centre.province_id))
        .distinct()
        .order_by("valid_to", "pk")
    )


# -- one loan ---------------------------------------------------------------------------


def balance(loan: LoanApplication) -> int:
    """What is left to pay, principal and interest, in rials."""
    return Installment.objects.filter(loan=loan).aggregate(
        left=Coalesce(
            Sum(F("principal_due") + F("interest_due") - F("principal_paid") - F("interest_paid")),
            0,
        )
    )["left"]


def paused_days(pauses, start: date, end: date) -> int:
    """How many days of [start, end) fall inside the pauses (which do not overlap)."""
    days = 0
    for pause in pauses:
        if pause.cancelled_at is not None:
            continue
        first = max(start, pause.starts_on)
        last = min(end, pause.ends_on)
        if last > first:
            days += (last - first).days
    return days


def days_past_due(overdue_since: date | None, on: date, pauses=()) -> int:
    """Days since the oldest installment due and unpaid fell due, less the paused days."""
    if overdue_since is None or overdue_since >= on:
        return 0
    return (on - overdue_since).days - paused_days(pauses, overdue_since, on)


@dataclass(frozen=True)
class Position:
    """Where a loan stands on a day: always shown on its page."""

    balance: int
    principal_outstanding: int
    next_due_on: date | None
    next_due_amount: int
    overdue_since: date | None
    days_past_due: int
    paused_until: date | None

    @property
    def in_arrears(self) -> bool:
        return self.days_past_due > 0


def position(loan: LoanApplication, installments, *, on: date) -> Position:
    """The loan's balance, next due date and days past due on `on`, from its installments
    (a list, already read for the page)."""
    open_rows = [i for i in installments if i.paid_on is None]
    overdue = [i for i in open_rows if i.due_on < on]
    pauses = list(HardshipPause.objects.filter(loan=loan, cancelled_at__isnull=True))
    current = next((p for p in pauses if p.starts_on <= on < p.ends_on), None)
    overdue_since = overdue[0].due_on if overdue else None
    return Position(
        balance=sum(i.left_to_pay for i in installments),
        principal_outstanding=sum(i.principal_due - i.principal_paid for i in installments),
        next_due_on=open_rows[0].due_on if open_rows else None,
        next_due_amount=open_rows[0].left_to_pay if open_rows else 0,
        overdue_since=overdue_since,
        days_past_due=days_past_due(overdue_since, on, pauses),
        paused_until=current.ends_on if current else None,
    )


def active_loans():
    return LoanApplication.objects.filter(state__in=ACTIVE_STATES)


# -- lists ------------------------------------------------------------------------------


def applications_for(user):
    """The applications a user may see, with what the list shows, in one query."""
    return LoanApplication.objects.visible_to(user).select_related(
        "client", "centre", "product", "plan"
    )


AMOUNT_BANDS = {
    # rials: up to 10 million tomans, 10 to 50 million, 50 million and more
    "small": (None, 100_000_000),
    "medium": (100_000_000, 500_000_000),
    "large": (500_000_000, None),
}
AMOUNT_BAND_CHOICES = [
    ("small", _("Up to 10 million tomans")),
    ("medium", _("10 to 50 million tomans")),
    ("large", _("50 million tomans or more")),
]


class ApplicationFilter(CrispyFilterSetMixin, django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("Status"), choices=State.choices, empty_label=_("All")
    )
    centre = django_filters.ChoiceFilter(label=_("Centre"), choices=[], empty_label=_("All"))
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=LoanProduct.objects.all(), empty_label=_("All")
    )
    amount_band = django_filters.ChoiceFilter(
        label=_("Amount"), choices=AMOUNT_BAND_CHOICES, method="in_band", empty_label=_("All")
    )

    class Meta:
        model = LoanApplication
        fields = ["state", "centre", "product", "amount_band"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if principal_for(user).sees_all_centres:
            self.filters["centre"].extra["choices"] = centre_choices()
        else:
            del self.filters["centre"]

    def in_band(self, queryset, name, value):
        low, high = AMOUNT_BANDS[value]
        if low is not None:
            queryset = queryset.filter(amount__gte=low)
        if high is not None:
            queryset = queryset.filter(amount__lt=high)
        return queryset

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs.order_by("-created_at", "-pk")


def review_queue() -> dict:
    """The national office's work: recommended loans to decide, approved ones to pay out."""
    base = LoanApplication.objects.select_related("client", "centre", "product", "recommended_by")
    return {
        "to_decide": list(base.filter(state=State.RECOMMENDED).order_by("pk")),
        "to_disburse": list(
            base.filter(state=State.APPROVED).select_related("credit_line").order_by("decided_at")
        ),
    }


def loans_on_line(line: CreditLine):
    return (
        LoanApplication.objects.filter(credit_line=line)
        .select_related("client", "centre")
        .order_by("-decided_at", "-pk")
    )


# -- the business a loan financed --------------------------------------------------------

# The loans a placement form offers for a new business: approved or being repaid. (A
# repaid or defaulted loan can still be linked from its own page, as history.)
OFFERED_FOR_A_NEW_BUSINESS = frozenset({State.APPROVED, State.DISBURSED, State.REPAYING})


def loans_to_finance(enrolment):
    """The loans of `enrolment`'s client at its centre that the placement form offers as
    the one financing a new own business: not linked to a business yet."""
    return (
        LoanApplication.objects.filter(
            client_id=enrolment.client_id,
            centre_id=enrolment.centre_id,
            state__in=OFFERED_FOR_A_NEW_BUSINESS,
            placement__isnull=True,
        )
        .select_related("plan")
        .order_by("-created_at", "-pk")
    )


def businesses_to_link(loan: LoanApplication):
    """The own businesses of `loan`'s client at its centre that it may be linked to: not
    financed by another running loan."""
    financed = LoanApplication.objects.filter(
        placement__isnull=False, state__in=LIVE_STATES, client_id=loan.client_id
    ).exclude(pk=loan.pk)
    return (
        Placement.objects.filter(
            enrolment__client_id=loan.client_id,
            centre_id=loan.centre_id,
            kind=PlacementKind.SELF_EMPLOYMENT,
        )
        .exclude(pk__in=financed.values("placement_id"))
        .order_by("-starts_on", "-pk")
    )


def loans_of_business(placement):
    """The loans linked to `placement`, newest first."""
    return (
        LoanApplication.objects.filter(placement=placement)
        .select_related("plan")
        .order_by("-created_at", "-pk")
    )
