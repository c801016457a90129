"""Soft loans sized to a business plan: reference data (products, bank credit lines), the
plan and its cost items, the application that becomes the loan, its schedule, repayments,
arrears follow-ups and hardship pauses.

Money is whole rials (`BigIntegerField`) everywhere; rates are `Decimal` fractions. An
application's state and the fields that go with it change only through
`loans.workflow.move` (see `loans.services`)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centres.models import Centre, Province, Trade
from centres.scoping import ScopedQuerySet, centre_scoped_manager
from clients.models import Client
from hami.text import normalise_text
from placements.models import Placement

from .schedule import ANNUITY, EQUAL_PRINCIPAL

# -- reference data ---------------------------------------------------------------------


class Amortisation(models.TextChoices):
    ANNUITY = ANNUITY, _("Equal installments")
    EQUAL_PRINCIPAL = EQUAL_PRINCIPAL, _("Equal principal, the charge on the declining balance")


class LoanProduct(models.Model):
    """A kind of loan the programme offers: its rate, amounts, term and amortisation."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    annual_rate = models.DecimalField(
        _("annual rate"),
        max_digits=5,
        decimal_places=4,
        help_text=_("A fraction: 0.04 for 4% a year, 0 for an interest-free loan."),
    )
    min_amount = models.BigIntegerField(_("minimum amount (rials)"))
    max_amount = models.BigIntegerField(_("maximum amount (rials)"))
    max_term_months = models.PositiveSmallIntegerField(_("longest term (months)"))
    grace_months = models.PositiveSmallIntegerField(_("grace months"), default=0)
    amortisation = models.CharField(
        _("amortisation"), max_length=20, choices=Amortisation.choices, default=ANNUITY
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_rate__gte=0, annual_rate__lte=1),
                name="loan_product_rate_is_a_fraction",
                violation_error_message=_("The annual rate is a fraction between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(min_amount__gt=0, max_amount__gte=models.F("min_amount")),
                name="loan_product_amounts_in_order",
                violation_error_message=_(
                    "The minimum amount is above zero and the maximum is not below it."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(max_term_months__gte=1, max_term_months__lte=240),
                name="loan_product_term_1_to_240_months",
                violation_error_message=_("The longest term is 1 to 240 months."),
            ),
            models.CheckConstraint(
                condition=models.Q(grace_months__lte=24),
                name="loan_product_grace_at_most_24_months",
                violation_error_message=_("The grace period is at most 24 months."),
            ),
        ]

    def __str__(self):
        return self.name


class CreditLine(models.Model):
    """A bank's credit line given to the organisation (اعتبارات بانکی). Loans are approved
    against it; what it has committed, disbursed, repaid and available is worked out from
    the loans (`loans.selectors.credit_line_ledger`), never kept as a counter."""

    bank = models.CharField(_("bank"), max_length=120)
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), help_text=_("The Jalali year, like 1403.")
    )
    total_amount = models.BigIntegerField(_("total amount (rials)"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    provinces = models.ManyToManyField(
        Province,
        blank=True,
        related_name="+",
        verbose_name=_("provinces"),
        help_text=_("Leave empty when the line serves every province."),
    )

    class Meta:
        ordering = ["-fiscal_year", "bank", "reference"]
        verbose_name = _("credit line")
        verbose_name_plural = _("credit lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount__gt=0),
                name="credit_line_total_above_zero",
                violation_error_message=_("The total amount is above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="credit_line_valid_to_after_from",
                violation_error_message=_("A credit line cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.bank} · {self.reference}"

    def serves(self, province_id: int) -> bool:
        provinces = [p.pk for p in self.provinces.all()]
        return not provinces or province_id in provinces

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to


# -- business plan ----------------------------------------------------------------------


class Premises(models.TextChoices):
    HOME_BASED = "home_based", _("Home-based business")
    PREMISES = "premises", _("Own or rented premises")


class CostCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    RAW_MATERIALS = "raw_materials", _("Raw materials")
    WORKING_CAPITAL = "working_capital", _("Working capital")
    PREMISES = "premises", _("Premises")
    OTHER = "other", _("Other")


class BusinessPlanQuerySet(ScopedQuerySet):
    centre_lookup = "client__centre"

    def with_total_cost(self):
        return self.annotate(
            cost_total=models.Sum(
                models.F("cost_items__quantity") * models.F("cost_items__unit_cost"),
                default=0,
            )
        )


class BusinessPlan(models.Model):
    """A client's business plan (طرح کسب‌وکار): what the business costs, what the client
    brings and what it should earn. Read-only once its loan application is submitted."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="business_plans", verbose_name=_("client")
    )
    title = models.CharField(_("title"), max_length=150)
    activity = models.TextField(_("activity"), max_length=2000)
    trade = models.ForeignKey(
        Trade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trade"),
    )
    premises = models.CharField(_("where"), max_length=20, choices=Premises.choices)
    own_contribution = models.BigIntegerField(_("own contribution (rials)"), default=0)
    monthly_revenue = models.BigIntegerField(_("projected monthly revenue (rials)"))
    monthly_costs = models.BigIntegerField(_("projected monthly costs (rials)"))
    jobs_created = models.PositiveSmallIntegerField(_("jobs created"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = centre_scoped_manager(BusinessPlanQuerySet)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    own_contribution__gte=0, monthly_revenue__gte=0, monthly_costs__gte=0
                ),
                name="business_plan_money_not_negative",
                violation_error_message=_("Amounts of money cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="business_plan_has_a_title",
                violation_error_message=_("Give the plan a title."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = normalise_text(self.title)
        self.activity = normalise_text(self.activity, multiline=True)
        super().save(*args, **kwargs)

    @property
    def total_cost(self) -> int:
        """What the items cost, in rials (annotated by `with_total_cost`, or summed)."""
        annotated = getattr(self, "cost_total", None)
        if annotated is not None:
            return annotated
        return sum(item.cost for item in self.cost_items.all())

    @property
    def monthly_profit(self) -> int:
        return self.monthly_revenue - self.monthly_costs


class CostItemQuerySet(ScopedQuerySet):
    centre_lookup = "plan__client__centre"


class CostItem(models.Model):
    plan = models.ForeignKey(
        BusinessPlan,
        on_delete=models.CASCADE,
        related_name="cost_items",
        verbose_name=_("business plan"),
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_cost = models.BigIntegerField(_("unit cost (rials)"))

    objects = centre_scoped_manager(CostItemQuerySet)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, unit_cost__gte=1),
                name="cost_item_costs_something",
                violation_error_message=_("A cost item has a quantity and a cost above zero."),
            ),
        ]

    def __str__(self):
        return self.description

    def save(self, *args, **kwargs):
        self.description = normalise_text(self.description)
        super().save(*args, **kwargs)

    @property
    def cost(self) -> int:
        return self.quantity * self.unit_cost


# -- the application, which becomes the loan ----------------------------------------------


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RECOMMENDED = "recommended", _("Recommended by the centre")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DISBURSED = "disbursed", _("Disbursed")
    REPAYING = "repaying", _("Repaying")
    REPAID = "repaid", _("Repaid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DEFAULTED = "defaulted", _("Defaulted")


# Loans with money out: a schedule, repayments, arrears.
ACTIVE_STATES = frozenset({State.DISBURSED, State.REPAYING, State.DEFAULTED})
LENT_STATES = ACTIVE_STATES | {State.REPAID}
CLOSED_STATES = frozenset({State.REJECTED, State.WITHDRAWN, State.REPAID})
# Loans that may name the business they financed: approved, or with money out.
LINKABLE_STATES = LENT_STATES | {State.APPROVED}
# Loans still running against the business they financed: one at a time per business. A
# repaid loan stays linked as history, so a repeat loan may finance the same business; a
# withdrawn one financed nothing and stays linked only as a record of the attempt.
LIVE_STATES = ACTIVE_STATES | {State.APPROVED}


def _states(states) -> list[str]:
    return sorted(states)


class LoanApplicationQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(state__in=ACTIVE_STATES)


class LoanApplication(models.Model):
    """A client's application for a loan, and once disbursed the loan itself."""

    plan = models.OneToOneField(
        BusinessPlan,
        on_delete=models.PROTECT,
        related_name="application",
        verbose_name=_("business plan"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="loan_applications", verbose_name=_("client")
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="loan_applications", verbose_name=_("centre")
    )
    product = models.ForeignKey(
        LoanProduct,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("product"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    # The amount as it stands: asked for, then as recommended, then as approved.
    amount = models.BigIntegerField(_("amount (rials)"))
    requested_amount = models.BigIntegerField(_("amount asked for (rials)"))
    sized_amount = models.BigIntegerField(
        _("sizing's recommendation (rials)"), null=True, blank=True
    )
    recommended_amount = models.BigIntegerField(
        _("amount recommended by the centre (rials)"), null=True, blank=True
    )
    approved_amount = models.BigIntegerField(_("amount approved (rials)"), null=True, blank=True)
    override_reason = models.TextField(_("reason for lending above the sizing"), blank=True)
    credit_line = models.ForeignKey(
        CreditLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="loans",
        verbose_name=_("credit line"),
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    bank = models.CharField(_("bank"), max_length=120, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    first_due_on = models.DateField(_("first installment due on"), null=True, blank=True)
    # The client's own business this loan financed (a self-employment placement of the
    # same client and centre, checked by `services.link_placement`). Placements know
    # nothing of loans: no reverse accessor.
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("financed business"),
    )
    # Kept by the daily arrears task (`loans.arrears`): the oldest installment due and not
    # paid, and how many days ago that was, as of `arrears_as_of`.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    arrears_as_of = models.DateField(_("arrears as of"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Changes with every step: a form shown for one version is refused once the
    # application has moved on (two tabs, a retried submit).
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = centre_scoped_manager(LoanApplicationQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, requested_amount__gt=0, term_months__gte=1),
                name="loan_amount_and_term_above_zero",
                violation_error_message=_("The amount and the term are above zero."),
            ),
            # Money out of a line: approved loans and those disbursed name their line.
            models.CheckConstraint(
                condition=~models.Q(state__in=_states(LENT_STATES | {State.APPROVED}))
                | models.Q(
                    credit_line__isnull=False,
                    approved_amount__isnull=False,
                    approved_by__isnull=False,
                ),
                name="loan_approved_has_line_amount_and_approver",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=_states(LENT_STATES))
                | models.Q(
                    disbursed_on__isnull=False,
                    first_due_on__isnull=False,
                    disbursed_by__isnull=False,
                ),
                name="loan_disbursed_has_date_and_schedule_start",
            ),
            # Four eyes, held by the database too.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | models.Q(recommended_by__isnull=True)
                | ~models.Q(approved_by=models.F("recommended_by")),
                name="loan_approver_is_not_the_recommender",
                violation_error_message=_("The user who recommended a loan cannot approve it."),
            ),
            models.CheckConstraint(
                condition=models.Q(disbursed_by__isnull=True)
                | ~models.Q(disbursed_by=models.F("approved_by")),
                name="loan_disburser_is_not_the_approver",
                violation_error_message=_(
                    "The user who approved a loan cannot record its disbursement."
                ),
            ),
            # A business is linked once the loan is approved; a draft, or a loan refused,
            # financed nothing.
            models.CheckConstraint(
                condition=models.Q(placement__isnull=True)
                | models.Q(state__in=_states(LINKABLE_STATES | {State.WITHDRAWN})),
                name="loan_financed_business_once_approved",
            ),
            # One running loan per business: the placement page's "financed by", and the
            # business's figures, name one loan.
            models.UniqueConstraint(
                fields=["placement"],
                condition=models.Q(state__in=_states(LIVE_STATES)),
                name="loan_one_live_per_financed_business",
                violation_error_message=_("This business is already financed by another loan."),
            ),
        ]
        indexes = [
            # The ledger: sums of a line's loans by state.
            models.Index(fields=["credit_line", "state"]),
            # The list and PAR per centre.
            models.Index(fields=["centre", "state"]),
            # The application list, newest first, and its next pages across the network:
            # ORDER BY created_at DESC, id DESC [WHERE (created_at, id) < (…)].
            models.Index(fields=["created_at", "id"], name="loan_by_creation"),
            # The same list for a centre: WHERE centre_id = … ORDER BY created_at DESC, id DESC.
            models.Index(fields=["centre", "created_at", "id"], name="loan_by_centre_creation"),
        ]

    def __str__(self):
        return f"{self.client} · {self.plan}"

    @property
    def is_lent(self) -> bool:
        return self.state in LENT_STATES

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class LoanTransitionQuerySet(ScopedQuerySet):
    centre_lookup = "application__centre"


class LoanTransition(models.Model):
    """One step of an application's workflow: who moved it, when, and why. Steps the
    system takes (the arrears task) have no user."""

    application = models.ForeignKey(
        LoanApplication,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("loan application"),
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = centre_scoped_manager(LoanTransitionQuerySet)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("loan transition")
        verbose_name_plural = _("loan transitions")

    def __str__(self):
        return f"{self.application_id}: {self.from_state} → {self.to_state}"


class GuarantorKind(models.TextChoices):
    PERSON = "person", _("Personal guarantor")
    CHEQUE = "cheque", _("Cheque")
    PAYROLL = "payroll", _("Payroll deduction")


class GuarantorQuerySet(ScopedQuerySet):
    centre_lookup = "application__centre"


class Guarantor(models.Model):
    application = models.ForeignKey(
        LoanApplication,
        on_delete=models.CASCADE,
        related_name="guarantors",
        verbose_name=_("loan application"),
    )
    full_name = models.CharField(_("name"), max_length=150)
    national_code = models.CharField(_("national code"), max_length=10)
    relation = models.CharField(_("relation to the client"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=GuarantorKind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = centre_scoped_manager(GuarantorQuerySet)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("guarantor")
        verbose_name_plural = _("guarantors")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(national_code__regex=r"^[0-9]{10}$"),
                name="guarantor_national_code_is_ten_digits",
            ),
            models.UniqueConstraint(
                fields=["application", "national_code"],
                name="guarantor_once_per_application",
                violation_error_message=_("This guarantor is already recorded."),
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = normalise_text(self.full_name)
        self.relation = normalise_text(self.relation)
        super().save(*args, **kwargs)


# -- schedule and repayments ------------------------------------------------------------


class InstallmentQuerySet(ScopedQuerySet):
    centre_lookup = "loan__centre"

    def open(self):
        return self.filter(paid_on__isnull=True)


class Installment(models.Model):
    """One row of a loan's schedule (`loans.schedule.build_schedule`), made at
    disbursement, with what has been paid of it. `paid_on` is set when it is paid in full."""

    loan = models.ForeignKey(
        LoanApplication,
        on_delete=models.CASCADE,
        related_name="installments",
        verbose_name=_("loan"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    principal_due = models.BigIntegerField(_("principal"))
    interest_due = models.BigIntegerField(_("interest"))
    principal_paid = models.BigIntegerField(_("principal paid"), default=0)
    interest_paid = models.BigIntegerField(_("interest paid"), default=0)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)

    objects = centre_scoped_manager(InstallmentQuerySet)

    class Meta:
        ordering = ["loan", "number"]
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="installment_number_per_loan"),
            models.CheckConstraint(
                condition=models.Q(
                    principal_due__gte=0,
                    interest_due__gte=0,
                    principal_paid__gte=0,
                    interest_paid__gte=0,
                    principal_paid__lte=models.F("principal_due"),
                    interest_paid__lte=models.F("interest_due"),
                ),
                name="installment_paid_within_due",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_on__isnull=True)
                | models.Q(
                    principal_paid=models.F("principal_due"),
                    interest_paid=models.F("interest_due"),
                ),
                name="installment_paid_on_only_when_paid_in_full",
            ),
        ]
        indexes = [
            # The arrears task: each active loan's oldest open installment due before a day.
            models.Index(
                fields=["loan", "due_on"],
                condition=models.Q(paid_on__isnull=True),
                name="installment_open_by_due",
            ),
        ]

    def __str__(self):
        return f"{self.loan_id} #{self.number}"

    @property
    def total_due(self) -> int:
        return self.principal_due + self.interest_due

    @property
    def total_paid(self) -> int:
        return self.principal_paid + self.interest_paid

    @property
    def left_to_pay(self) -> int:
        return self.total_due - self.total_paid


class RepaymentQuerySet(ScopedQuerySet):
    centre_lookup = "loan__centre"

    def live(self):
        return self.filter(reversed_at__isnull=True)


class Repayment(models.Model):
    """A payment received for a loan. What it paid is worked out by replaying every live
    repayment over the schedule (`loans.services.allocate`); a mistaken entry is reversed,
    with a reason, never deleted."""

    loan = models.ForeignKey(
        LoanApplication,
        on_delete=models.PROTECT,
        related_name="repayments",
        verbose_name=_("loan"),
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.BigIntegerField(_("amount (rials)"))
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversal_reason = models.TextField(_("reason for the reversal"), blank=True)

    objects = centre_scoped_manager(RepaymentQuerySet)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="repayment_amount_above_zero",
                violation_error_message=_("A repayment is an amount above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(reversed_at__isnull=True)
                | (models.Q(reversed_by__isnull=False) & ~models.Q(reversal_reason="")),
                name="repayment_reversal_has_user_and_reason",
            ),
        ]

    def __str__(self):
        return f"{self.loan_id} · {self.paid_on} · {self.amount}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


# -- arrears ----------------------------------------------------------------------------


class HardshipReason(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISASTER = "disaster", _("Natural disaster or accident")
    FAMILY = "family", _("Family crisis")
    OTHER = "other", _("Other hardship")


class HardshipPauseQuerySet(ScopedQuerySet):
    centre_lookup = "loan__centre"

    def covering(self, day):
        return self.filter(starts_on__lte=day, ends_on__gt=day, cancelled_at__isnull=True)


class HardshipPause(models.Model):
    """A pause of a loan's arrears for a recorded hardship (امهال), granted by the centre
    manager for a bounded time: the days it covers, from `starts_on` up to (not including)
    `ends_on`, do not count as days past due."""

    loan = models.ForeignKey(
        LoanApplication,
        on_delete=models.CASCADE,
        related_name="pauses",
        verbose_name=_("loan"),
    )
    reason = models.CharField(_("hardship"), max_length=20, choices=HardshipReason.choices)
    note = models.TextField(_("note"), max_length=2000)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("ended early at"), null=True, blank=True)

    objects = centre_scoped_manager(HardshipPauseQuerySet)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("hardship pause")
        verbose_name_plural = _("hardship pauses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="hardship_pause_ends_after_it_starts",
                violation_error_message=_("A pause cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.loan_id} · {self.starts_on} → {self.ends_on}"


class ArrearsFollowUpQuerySet(ScopedQuerySet):
    centre_lookup = "loan__centre"

    def open(self):
        return self.filter(closed_at__isnull=True)


class ArrearsFollowUp(models.Model):
    """A task for the client's case worker, opened by the arrears task when a loan falls
    more than 30 days behind: arrears are often a sign that the business or the person
    needs help. One open task per loan."""

    loan = models.ForeignKey(
        LoanApplication,
        on_delete=models.CASCADE,
        related_name="arrears_follow_ups",
        verbose_name=_("loan"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case worker"),
    )
    opened_on = models.DateField(_("opened on"))
    days_past_due = models.PositiveIntegerField(_("days past due when opened"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(_("what was done"), blank=True)

    objects = centre_scoped_manager(ArrearsFollowUpQuerySet)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("arrears follow-up")
        verbose_name_plural = _("arrears follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"],
                condition=models.Q(closed_at__isnull=True),
                name="arrears_follow_up_one_open_per_loan",
            ),
        ]

    def __str__(self):
        return f"{self.loan} · {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
