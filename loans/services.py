"""What people do with business plans and loans: each action a function taking the acting
user, run in one transaction, refusing with a `DomainError` whose message the page shows.

The workflow's moves are checked and logged by `loans.workflow.move`; what a line has
available is worked out from the loans under the line's row lock; what a repayment paid
is worked out by replaying every live repayment over the schedule."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from centres.roles import STAFF, principal_for
from clients.models import Client
from clients.workflow import moment, save_dated
from hami.errors import DomainError
from hami.jalali import add_months
from hami.money import format_money
from hami.text import localise_digits
from placements.models import Placement, PlacementKind

from . import selectors
from .models import (
    ACTIVE_STATES,
    LINKABLE_STATES,
    LIVE_STATES,
    ArrearsFollowUp,
    BusinessPlan,
    CostItem,
    CreditLine,
    Guarantor,
    HardshipPause,
    Installment,
    LoanApplication,
    LoanProduct,
    Repayment,
    State,
)
from .schedule import build_schedule
from .sizing import size_loan
from .workflow import Action, check, log_creation, move, record

# -- business plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """A cost item as a form gives it."""

    category: str
    description: str
    quantity: int
    unit_cost: int

    @property
    def cost(self) -> int:
        return self.quantity * self.unit_cost


def plan_is_locked(plan: BusinessPlan) -> bool:
    """A plan is read-only once its loan application has been submitted."""
    application = getattr(plan, "application", None) if plan.pk else None
    return application is not None and application.state != State.DRAFT


def check_plan_figures(*, items: Sequence[CostLine], own_contribution: int) -> None:
    """The plan's own rules: at least one item, each costing something, and a contribution
    not larger than the plan."""
    if not items:
        raise DomainError(_("List at least one cost item."))
    for item in items:
        if item.quantity < 1 or item.unit_cost < 1:
            raise DomainError(_("Every cost item needs a quantity and a unit cost above zero."))
    total = sum(item.cost for item in items)
    if own_contribution < 0:
        raise DomainError(_("The own contribution cannot be negative."))
    if own_contribution > total:
        raise DomainError(
            _("The client's own contribution (%(own)s) is larger than the plan (%(total)s).")
            % {"own": format_money(own_contribution), "total": format_money(total)}
        )


@transaction.atomic
def save_plan(
    *,
    client: Client,
    by,
    items: Sequence[CostLine],
    plan: BusinessPlan | None = None,
    at: datetime | None = None,
    **fields,
) -> BusinessPlan:
    """Write a new business plan for `client`, or save a new version of `plan`: its fields
    and its cost items (the items replace the old ones; the history keeps both)."""
    at = moment(at)
    if plan is not None:
        plan = BusinessPlan.objects.select_for_update().get(pk=plan.pk)
        if plan_is_locked(plan):
            raise DomainError(
                _("This plan's loan application has been submitted: the plan can no longer change.")
            )
    else:
        plan = BusinessPlan(client=client, created_by=by, created_at=at)
    for name, value in fields.items():
        BusinessPlan._meta.get_field(name)
        setattr(plan, name, value)
    check_plan_figures(items=items, own_contribution=plan.own_contribution)
    save_dated(plan, at=at, by=by)
    old = list(CostItem.objects.filter(plan=plan))
    for item in old:
        item._history_date, item._history_user = at, by
        item.delete()
    bulk_create_with_history(
        [
            CostItem(
                plan=plan,
                category=item.category,
                description=item.description,
                quantity=item.quantity,
                unit_cost=item.unit_cost,
            )
            for item in items
        ],
        CostItem,
        default_user=by,
        default_date=at,
    )
    return plan


# -- the application --------------------------------------------------------------------


def _check_terms(*, plan: BusinessPlan, product: LoanProduct, term_months: int, amount: int):
    """The amount and term a centre may ask for: within the product and the sizing."""
    if not product.is_active:
        raise DomainError(_("This loan product is no longer offered."))
    if not 1 <= term_months <= product.max_term_months:
        raise DomainError(
            _("The term is at most %(months)s months for this product.")
            % {"months": localise_digits(str(product.max_term_months))}
        )
    sizing = size_loan(plan, product, months=term_months)
    if not sizing.fundable:
        raise DomainError(sizing.reason)
    if amount < product.min_amount:
        raise DomainError(
            _("This product lends at least %(amount)s.")
            % {"amount": format_money(product.min_amount)}
        )
    if amount > sizing.recommended:
        raise DomainError(
            _(
                "The amount is above the recommendation of %(amount)s for this plan. Only the "
                "national office may lend more, giving its reason when it approves."
            )
            % {"amount": format_money(sizing.recommended)}
        )
    return sizing


@transaction.atomic
def create_application(
    *,
    plan: BusinessPlan,
    product: LoanProduct,
    term_months: int,
    amount: int,
    by,
    at: datetime | None = None,
) -> LoanApplication:
    """Draft a loan application for `plan`: one application per plan."""
    at = moment(at)
    plan = BusinessPlan.objects.select_for_update().select_related("client").get(pk=plan.pk)
    if LoanApplication.objects.filter(plan=plan).exists():
        raise DomainError(_("This plan already has a loan application."))
    _check_terms(plan=plan, product=product, term_months=term_months, amount=amount)
    application = LoanApplication(
        plan=plan,
        client=plan.client,
        centre=plan.client.centre,
        product=product,
        term_months=term_months,
        amount=amount,
        requested_amount=amount,
        created_by=by,
        created_at=at,
    )
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError as error:
        raise DomainError(_("This plan already has a loan application.")) from error
    log_creation(application, by=by, at=at)
    return application


@transaction.atomic
def update_application(
    *,
    application: LoanApplication,
    product: LoanProduct,
    term_months: int,
    amount: int,
    by,
    version: int | None = None,
) -> LoanApplication:
    """Change a draft's product, term or amount."""
    application = _locked(application, version=version)
    if application.state != State.DRAFT:
        raise DomainError(_("Only a draft application can be changed."))
    _check_terms(plan=application.plan, product=product, term_months=term_months, amount=amount)
    application.product = product
    application.term_months = term_months
    application.amount = application.requested_amount = amount
    application.version += 1
    application.save()
    return application


GUARANTOR_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.RECOMMENDED})


@transaction.atomic
def add_guarantor(*, application: LoanApplication, by, **fields) -> Guarantor:
    application = _locked(application)
    if application.state not in GUARANTOR_STATES:
        raise DomainError(_("Guarantors are recorded before the loan is decided."))
    guarantor = Guarantor(application=application, **fields)
    try:
        with transaction.atomic():
            guarantor.save()
    except IntegrityError as error:
        raise DomainError(_("This guarantor is already recorded.")) from error
    return guarantor


@transaction.atomic
def remove_guarantor(*, guarantor: Guarantor, by) -> None:
    application = _locked(guarantor.application)
    if application.state not in GUARANTOR_STATES:
        raise DomainError(_("Guarantors are recorded before the loan is decided."))
    guarantor.delete()


@transaction.atomic
def submit(
    *,
    application: LoanApplication,
    by,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """Centre staff send the application to the centre manager. The plan freezes, and the
    sizing of that moment is kept with the application."""
    at = moment(at)
    application = _locked(application, version=version)
    check(application, Action.SUBMIT, by=by)
    sizing = _check_terms(
        plan=application.plan,
        product=application.product,
        term_months=application.term_months,
        amount=application.amount,
    )
    move(
        application,
        Action.SUBMIT,
        by=by,
        at=at,
        submitted_at=at,
        sized_amount=sizing.recommended,
    )


@transaction.atomic
def recommend(
    *,
    application: LoanApplication,
    by,
    amount: int | None = None,
    note: str = "",
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """The centre manager recommends the loan to the national office, at the amount asked
    for or lower."""
    application = _locked(application, version=version)
    check(application, Action.RECOMMEND, by=by)
    amount = application.amount if amount is None else amount
    if amount > application.amount:
        raise DomainError(
            _("The centre manager may lower the amount, not raise it (asked for: %(amount)s).")
            % {"amount": format_money(application.amount)}
        )
    if amount < application.product.min_amount:
        raise DomainError(
            _("This product lends at least %(amount)s.")
            % {"amount": format_money(application.product.min_amount)}
        )
    move(
        application,
        Action.RECOMMEND,
        by=by,
        reason=note,
        at=at,
        amount=amount,
        recommended_amount=amount,
        recommended_by=by,
    )


@transaction.atomic
def approve(
    *,
    application: LoanApplication,
    by,
    credit_line: CreditLine | None,
    amount: int | None = None,
    override_reason: str = "",
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """The national office approves the loan and commits its amount against a credit line.

    The line's row is locked while what it has available is worked out from its loans, so
    concurrent approvals against one line never commit more than it holds."""
    at = moment(at)
    application = _locked(application, version=version)
    check(application, Action.APPROVE, by=by)
    amount = application.amount if amount is None else amount
    product = application.product
    override_reason = override_reason.strip()
    if not product.min_amount <= amount <= product.max_amount:
        raise DomainError(
            _("This product lends from %(minimum)s to %(maximum)s.")
            % {
                "minimum": format_money(product.min_amount),
                "maximum": format_money(product.max_amount),
            }
        )
    if amount > (application.sized_amount or 0) and not override_reason:
        raise DomainError(
            _(
                "%(amount)s is above the plan's recommendation of %(sized)s: give the reason "
                "for lending more."
            )
            % {"amount": format_money(amount), "sized": format_money(application.sized_amount)}
        )
    if credit_line is None:
        raise DomainError(_("Choose the credit line the loan is drawn from."))
    line = CreditLine.objects.select_for_update().get(pk=credit_line.pk)
    today = timezone.localdate(at)
    if not line.is_valid_on(today):
        raise DomainError(_("This credit line is not valid today."))
    if not line.serves(application.centre.province_id):
        raise DomainError(_("This credit line does not serve the centre's province."))
    available = selectors.credit_line_ledger(line).available
    if amount > available:
        raise DomainError(
            _("The credit line has only %(available)s available; this loan needs %(amount)s.")
            % {"available": format_money(available), "amount": format_money(amount)}
        )
    move(
        application,
        Action.APPROVE,
        by=by,
        reason=override_reason,
        at=at,
        amount=amount,
        approved_amount=amount,
        approved_by=by,
        credit_line=line,
        decided_at=at,
        override_reason=override_reason,
    )


@transaction.atomic
def reject(
    *,
    application: LoanApplication,
    by,
    reason: str,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    application = _locked(application, version=version)
    check(application, Action.REJECT, by=by)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    move(application, Action.REJECT, by=by, reason=reason, at=at, decided_at=moment(at))


@transaction.atomic
def withdraw(
    *,
    application: LoanApplication,
    by,
    reason: str,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """The client gives up the loan before it is disbursed; an approved amount goes back
    to the line's available (the ledger follows the state)."""
    application = _locked(application, version=version)
    check(application, Action.WITHDRAW, by=by)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    move(application, Action.WITHDRAW, by=by, reason=reason, at=at)


@transaction.atomic
def disburse(
    *,
    application: LoanApplication,
    by,
    bank: str,
    disbursed_on: date,
    bank_reference: str,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """The national office records that the bank paid the loan out; the schedule is made
    from that day: the first row falls due one Jalali month later."""
    at = moment(at)
    application = _locked(application, version=version)
    check(application, Action.DISBURSE, by=by)
    bank, bank_reference = bank.strip(), bank_reference.strip()
    if not bank or not bank_reference:
        raise DomainError(_("Record the bank and its reference for the payment."))
    if disbursed_on > timezone.localdate(at):
        raise DomainError(_("A disbursement cannot be dated in the future."))
    if application.decided_at and disbursed_on < timezone.localdate(application.decided_at):
        raise DomainError(_("A loan cannot be disbursed before it was approved."))
    first_due = add_months(disbursed_on, 1)
    product = application.product
    rows = build_schedule(
        application.approved_amount,
        product.annual_rate,
        application.term_months,
        product.grace_months,
        first_due,
        method=product.amortisation,
    )
    move(
        application,
        Action.DISBURSE,
        by=by,
        at=at,
        bank=bank,
        bank_reference=bank_reference,
        disbursed_on=disbursed_on,
        disbursed_by=by,
        first_due_on=first_due,
    )
    Installment.objects.bulk_create(
        Installment(
            loan=application,
            number=number,
            due_on=row.due_date,
            principal_due=row.principal,
            interest_due=row.interest,
        )
        for number, row in enumerate(rows, start=1)
    )


# -- the business the loan financed -------------------------------------------------------


def _check_centre_staff(loan: LoanApplication, by) -> None:
    """Linking is centre work: the staff (or manager) of the loan's own centre."""
    principal = principal_for(by)
    if STAFF not in principal.roles or principal.centre is None:
        raise DomainError(_("Only the centre's staff link a loan to the business it financed."))
    if principal.centre.pk != loan.centre_id:
        raise DomainError(_("This loan is another centre's."))


def _another_centres_business() -> str:
    return _(
        "This business was recorded at another centre: a loan is linked to a business of its "
        "own centre."
    )


def financing_refusal(loan: LoanApplication, placement: Placement) -> str | None:
    """Why `loan` cannot be linked to `placement` as the business it financed, or None.
    The caller holds both rows' locks when it means to link them."""
    if loan.state not in LINKABLE_STATES:
        return _(
            "Only an approved or disbursed loan can be linked to the business it financed "
            "(this one is “%(state)s”)."
        ) % {"state": loan.get_state_display()}
    if loan.placement_id is not None:
        return _("This loan is already linked to a business: unlink it first.")
    if placement.kind != PlacementKind.SELF_EMPLOYMENT:
        return _(
            "“%(name)s” is a wage job: a loan is linked to the client's own business only."
        ) % {"name": placement}
    if placement.centre_id != loan.centre_id:
        return _another_centres_business()
    if placement.enrolment.client_id != loan.client_id:
        return _(
            "“%(name)s” is another client's business: a loan is linked to its own client's business."
        ) % {"name": placement}
    other = (
        LoanApplication.objects.filter(placement=placement, state__in=LIVE_STATES)
        .exclude(pk=loan.pk)
        .select_related("plan")
        .first()
    )
    if other is not None:
        return _(
            "“%(name)s” is already financed by the loan “%(loan)s”: unlink it there first."
        ) % {"name": placement, "loan": other.plan}
    return None


@transaction.atomic
def link_placement(
    *,
    loan: LoanApplication,
    placement: Placement,
    by,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """Record that `loan` financed `placement`, the client's own business. Both rows are
    locked: two loans linked to one business at the same moment cannot both succeed (the
    database's one-live-loan-per-business constraint says so too)."""
    at = moment(at)
    loan = _locked(loan, version=version)
    _check_centre_staff(loan, by)
    # Another centre's business is outside the user's scope: not found, and refused so.
    placement = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("enrolment")
        .filter(pk=placement.pk)
        .first()
    )
    if placement is None:
        raise DomainError(_another_centres_business())
    reason = financing_refusal(loan, placement)
    if reason is not None:
        raise DomainError(reason)
    try:
        with transaction.atomic():
            record(
                loan,
                Action.LINK_PLACEMENT,
                by=by,
                at=at,
                reason=str(placement),
                placement=placement,
            )
    except IntegrityError as error:
        raise DomainError(_("This business is already financed by another loan.")) from error


@transaction.atomic
def unlink_placement(
    *,
    loan: LoanApplication,
    by,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """Undo a link made by mistake; the history keeps both steps."""
    at = moment(at)
    loan = _locked(loan, version=version)
    _check_centre_staff(loan, by)
    if loan.placement_id is None:
        raise DomainError(_("This loan is not linked to a business."))
    placement = Placement.objects.get(pk=loan.placement_id)
    record(loan, Action.UNLINK_PLACEMENT, by=by, at=at, reason=str(placement), placement=None)


# -- repayments -------------------------------------------------------------------------


@transaction.atomic
def record_repayment(
    *,
    loan: LoanApplication,
    by,
    paid_on: date,
    amount: int,
    bank_reference: str = "",
    at: datetime | None = None,
) -> Repayment:
    """Record a payment received for `loan`. It pays the oldest open installment first,
    interest before principal; what is paid beyond the installments due reduces the last
    installments (see `allocate`)."""
    at = moment(at)
    loan = _locked(loan)
    if loan.state not in ACTIVE_STATES:
        raise DomainError(_("Repayments are recorded for disbursed loans only."))
    if amount is None or amount <= 0:
        raise DomainError(_("A repayment is an amount above zero."))
    if paid_on < loan.disbursed_on:
        raise DomainError(_("A repayment cannot be dated before the loan was disbursed."))
    if paid_on > timezone.localdate(at):
        raise DomainError(_("A repayment cannot be dated in the future."))
    balance = selectors.balance(loan)
    if amount > balance:
        raise DomainError(
            _("%(amount)s is more than the balance of %(balance)s.")
            % {"amount": format_money(amount), "balance": format_money(balance)}
        )
    repayment = Repayment.objects.create(
        loan=loan,
        paid_on=paid_on,
        amount=amount,
        bank_reference=bank_reference.strip(),
        recorded_by=by,
        recorded_at=at,
    )
    allocate(loan)
    if loan.state == State.DISBURSED:
        move(loan, Action.START_REPAYING, by=by, at=at)
    if amount == balance:
        move(loan, Action.REPAY_IN_FULL, by=by, at=at)
    return repayment


@transaction.atomic
def reverse_repayment(*, repayment: Repayment, by, reason: str, at: datetime | None = None) -> None:
    """Undo a mistaken entry, with a reason: the repayment stays on record, marked
    reversed, and the schedule is paid again by the others."""
    at = moment(at)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    loan = _locked(repayment.loan)
    repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
    if repayment.is_reversed:
        raise DomainError(_("This repayment has already been reversed."))
    repayment.reversed_at = at
    repayment.reversed_by = by
    repayment.reversal_reason = reason.strip()
    repayment.save()
    allocate(loan)
    if loan.state == State.REPAID and selectors.balance(loan) > 0:
        move(loan, Action.REOPEN, by=by, reason=reason, at=at)


def allocate(loan: LoanApplication) -> list[Installment]:
    """Work out what every live repayment paid, replaying them in date order over the
    schedule, and save the installments that changed. The caller holds the loan's lock.

    Each payment pays the installments due by its date (or, when none is, the next to fall
    due), oldest first, interest before principal; the rest (an overpayment) pays the last
    installments, newest first, each in full before the one before it. A reversal is a
    replay without the reversed payment."""
    installments = list(Installment.objects.filter(loan=loan).order_by("number"))
    before = {i.pk: (i.principal_paid, i.interest_paid, i.paid_on) for i in installments}
    for installment in installments:
        installment.principal_paid = installment.interest_paid = 0
        installment.paid_on = None
    for repayment in Repayment.objects.filter(loan=loan).live().order_by("paid_on", "pk"):
        left = repayment.amount
        open_rows = [i for i in installments if i.paid_on is None]
        # What is due by the payment's date, or else the next installment to fall due.
        regular = [i for i in open_rows if i.due_on <= repayment.paid_on] or open_rows[:1]
        for installment in regular:
            left = _pay(installment, left, repayment.paid_on)
        for installment in reversed(open_rows):
            left = _pay(installment, left, repayment.paid_on)
        if left:
            raise DomainError(_("The repayments come to more than the loan."))
    changed = [
        i for i in installments if before[i.pk] != (i.principal_paid, i.interest_paid, i.paid_on)
    ]
    Installment.objects.bulk_update(changed, ["principal_paid", "interest_paid", "paid_on"])
    return installments


def _pay(installment: Installment, amount: int, day: date) -> int:
    """Pay up to `amount` of `installment`, interest first; return what is left."""
    interest = min(amount, installment.interest_due - installment.interest_paid)
    installment.interest_paid += interest
    amount -= interest
    principal = min(amount, installment.principal_due - installment.principal_paid)
    installment.principal_paid += principal
    amount -= principal
    if installment.paid_on is None and installment.left_to_pay == 0:
        installment.paid_on = day
    return amount


# -- hardship ---------------------------------------------------------------------------

# A pause lasts at most this many months, and all of a loan's pauses together at most a
# year.
HARDSHIP_MAX_MONTHS = 6
HARDSHIP_MAX_DAYS_IN_ALL = 366


@transaction.atomic
def pause_arrears(
    *,
    loan: LoanApplication,
    by,
    reason: str,
    note: str,
    starts_on: date,
    months: int,
    at: datetime | None = None,
) -> HardshipPause:
    """The centre manager pauses a loan's arrears for a recorded hardship (امهال): the days
    of the pause do not count as days past due."""
    at = moment(at)
    loan = _locked(loan)
    if loan.state not in ACTIVE_STATES:
        raise DomainError(_("Arrears can be paused on disbursed loans only."))
    if not note.strip():
        raise DomainError(_("Describe the hardship."))
    if not 1 <= months <= HARDSHIP_MAX_MONTHS:
        raise DomainError(
            _("A pause lasts 1 to %(months)s months.")
            % {"months": localise_digits(str(HARDSHIP_MAX_MONTHS))}
        )
    today = timezone.localdate(at)
    if starts_on > add_months(today, 1) or starts_on < add_months(today, -1):
        raise DomainError(_("A pause starts within a month of today."))
    ends_on = add_months(starts_on, months)
    pauses = HardshipPause.objects.filter(loan=loan, cancelled_at__isnull=True)
    if pauses.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise DomainError(_("This loan already has a pause in that time."))
    used = sum((p.ends_on - p.starts_on).days for p in pauses)
    if used + (ends_on - starts_on).days > HARDSHIP_MAX_DAYS_IN_ALL:
        raise DomainError(_("A loan's pauses together last at most a year."))
    pause = HardshipPause(
        loan=loan,
        reason=reason,
        note=note.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=by,
        granted_at=at,
    )
    save_dated(pause, at=at, by=by)
    return pause


@transaction.atomic
def close_follow_up(
    *, follow_up: ArrearsFollowUp, by, outcome: str, at: datetime | None = None
) -> None:
    """The case worker closes an arrears follow-up, saying what was done."""
    follow_up = ArrearsFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if not follow_up.is_open:
        raise DomainError(_("This follow-up is already closed."))
    if not outcome.strip():
        raise DomainError(_("Say what was done."))
    follow_up.closed_at = moment(at)
    follow_up.closed_by = by
    follow_up.outcome = outcome.strip()
    follow_up.save()


# -- helpers ----------------------------------------------------------------------------


class StaleForm(DomainError):
    """The form was shown for an older version of the application."""

    def __init__(self, message, *, version: int):
        super().__init__(message)
        self.version = version


def _locked(application: LoanApplication, *, version: int | None = None) -> LoanApplication:
    """The application as it is now, locked for this transaction; with the `version` a
    form was shown for, an application that changed since is refused."""
    locked = (
        LoanApplication.objects.select_for_update(of=("self",))
        .select_related("plan", "product", "centre", "client")
        .get(pk=application.pk)
    )
    if version is not None and version != locked.version:
        raise StaleForm(
            _(
                "This application changed while you were filling in the form. Nothing was "
                "saved; check it and submit again if this is still needed."
            ),
            version=locked.version,
        )
    return locked
