"""Placements (به‌کارگماری) and the year of follow-up after them: employers and their
openings, the placement itself (a wage job or the client's own business), its follow-ups at
1, 3, 6 and 12 Jalali months, and the reminders the daily sweep sends about them.

Every model here is centre-owned and behind the django-scopes net (`centre_scoped_manager`).
A self-employment placement is linked to the loan that financed it from the loans side (a
field on the loan): this app knows nothing of loans.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Centre, Province, Trade
from centres.scoping import ScopedQuerySet, centre_scoped_manager
from clients.models import Client, Enrolment, State
from hami.text import ZWNJ, normalise_text
from hami.validators import EARLIEST_DATE, LATEST_DATE

# -- employers ---------------------------------------------------------------------------


class EmployerKind(models.TextChoices):
    PRODUCTION_UNIT = "production_unit", _("Production unit")
    COMPANY = "company", _("Company")
    TECHNOLOGY_COMPANY = "technology_company", _("Technology company")
    NGO = "ngo", _("Non-governmental organisation")
    PUBLIC_BODY = "public_body", _("Public body")
    HOME_WORKSHOP = "home_workshop", _("Home-based workshop")


def name_key(name: str) -> str:
    """An employer's name as duplicates are found: normalised (Arabic letters, digits,
    invisible characters), without spaces or half-spaces, in one letter case. «نان‌آوران»,
    «نان آوران» and «نان  آوران» are one name."""
    text = normalise_text(name or "").replace(ZWNJ, "").replace(" ", "")
    return text.casefold()


class EmployerQuerySet(ScopedQuerySet):
    # A search is a name or a company ID: a few words, like the client search.
    MAX_SEARCH_LENGTH = 100

    def search(self, text: str):
        text = normalise_text((text or "")[: self.MAX_SEARCH_LENGTH])
        if not text:
            return self
        key = name_key(text)
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(name_key__contains=key)
            | models.Q(company_id__startswith=key)
            | models.Q(sector__icontains=text)
        )


class Employer(models.Model):
    """An employer on a centre's list (کارفرما): the centre's own partners, not shared with
    other centres. Found again by its national company ID, or by its name and city."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="employers", verbose_name=_("centre")
    )
    name = models.CharField(_("name"), max_length=150)
    name_key = models.CharField(max_length=150, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=EmployerKind.choices)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    city = models.CharField(_("city"), max_length=80)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    company_id = models.CharField(
        _("national company ID"),
        max_length=11,
        blank=True,
        help_text=_("The 11-digit national ID of a registered company, if it has one."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )

    objects = centre_scoped_manager(EmployerQuerySet)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "company_id"],
                condition=~models.Q(company_id=""),
                name="employer_unique_company_id_per_centre",
                violation_error_message=_(
                    "An employer with this national company ID is already on the centre's list."
                ),
            ),
            models.UniqueConstraint(
                fields=["centre", "name_key", "city"],
                name="employer_unique_name_and_city_per_centre",
                violation_error_message=_(
                    "An employer of this name in this city is already on the centre's list."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(company_id="") | models.Q(company_id__regex=r"^[0-9]{11}$"),
                name="employer_company_id_is_eleven_digits",
            ),
            models.CheckConstraint(
                condition=~models.Q(name="") & ~models.Q(name_key=""),
                name="employer_has_a_name",
                violation_error_message=_("Enter the employer's name."),
            ),
        ]
        # The employer list of a centre, by name.
        indexes = [models.Index(fields=["centre", "name"], name="employer_by_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalise_text(self.name)
        self.name_key = name_key(self.name)
        for name in ("sector", "city", "contact_person"):
            setattr(self, name, normalise_text(getattr(self, name)))
        super().save(*args, **kwargs)


# -- openings ----------------------------------------------------------------------------


class SkillLevel(models.TextChoices):
    SIMPLE = "simple", _("Simple work")
    TECHNICAL = "technical", _("Technical work")
    PROFESSIONAL = "professional", _("Professional work")


class OpeningQuerySet(ScopedQuerySet):
    def open_on(self, day: date):
        """Openings that still take people on `day`: not closed, not full, not past their
        closing date."""
        return self.filter(
            closed_at__isnull=True, open_until__gte=day, filled__lt=models.F("places")
        )


class Opening(models.Model):
    """An employer's offer of places (فرصت شغلی) in a trade. Each placement made into it
    fills one place; a full opening closes."""

    MAX_PLACES = 500

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="openings", verbose_name=_("centre")
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="openings", verbose_name=_("employer")
    )
    trade = models.ForeignKey(
        Trade, on_delete=models.PROTECT, related_name="+", verbose_name=_("trade")
    )
    title = models.CharField(_("job title"), max_length=150)
    city = models.CharField(_("city"), max_length=80)
    places = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PLACES)]
    )
    filled = models.PositiveSmallIntegerField(_("places filled"), default=0, editable=False)
    wage_offered = models.BigIntegerField(_("monthly wage offered"))
    skill_level = models.CharField(_("skill level"), max_length=20, choices=SkillLevel.choices)
    open_until = models.DateField(_("open until"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )

    objects = centre_scoped_manager(OpeningQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(places__gte=1, places__lte=500),
                name="opening_places_1_to_500",
            ),
            # The row lock in `services.place` keeps it so; the database refuses it anyway.
            models.CheckConstraint(
                condition=models.Q(filled__lte=models.F("places")),
                name="opening_never_fills_more_than_its_places",
                violation_error_message=_("This opening has no free place left."),
            ),
            models.CheckConstraint(
                condition=models.Q(wage_offered__gt=0),
                name="opening_wage_is_positive",
                violation_error_message=_("The wage offered must be more than zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(open_until__range=(EARLIEST_DATE, LATEST_DATE)),
                name="opening_open_until_in_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="opening_has_a_title",
                violation_error_message=_("Give the opening a job title."),
            ),
        ]
        # The open openings of a centre, and those matching a client's trade.
        indexes = [models.Index(fields=["centre", "trade", "open_until"], name="opening_by_trade")]

    def __str__(self):
        return f"{self.title} · {self.employer}"

    def save(self, *args, **kwargs):
        self.title = normalise_text(self.title)
        self.city = normalise_text(self.city)
        super().save(*args, **kwargs)

    @property
    def places_left(self) -> int:
        return max(self.places - self.filled, 0)

    def is_open_on(self, day: date) -> bool:
        return self.closed_at is None and self.open_until >= day and self.filled < self.places


# -- placements --------------------------------------------------------------------------


class PlacementKind(models.TextChoices):
    WAGE_JOB = "wage_job", _("Wage job")
    SELF_EMPLOYMENT = "self_employment", _("Own business")


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    FIXED_TERM = "fixed_term", _("Fixed-term")
    SEASONAL = "seasonal", _("Seasonal or for a project")
    DAILY = "daily", _("Paid by the day or hour")
    NONE = "none", _("No written contract")


class Premises(models.TextChoices):
    HOME = "home", _("Home-based")
    PREMISES = "premises", _("Own premises")


class PlacementQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


WAGE_JOB_FIELDS = (
    models.Q(
        employer__isnull=False,
        monthly_wage__gt=0,
        business_name="",
        premises="",
        activity="",
    )
    & ~models.Q(job_title="")
    & ~models.Q(skill_level="")
    & ~models.Q(contract_type="")
)
SELF_EMPLOYMENT_FIELDS = (
    models.Q(
        employer__isnull=True,
        opening__isnull=True,
        monthly_wage__isnull=True,
        job_title="",
        skill_level="",
        contract_type="",
    )
    & ~models.Q(business_name="")
    & ~models.Q(premises="")
    & ~models.Q(activity="")
)


class Placement(models.Model):
    """A client placed in work: a wage job with an employer, or a business of their own.
    Its follow-ups are created with it, in the same transaction (`services.place`)."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="placements", verbose_name=_("centre")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="placements", verbose_name=_("enrolment")
    )
    kind = models.CharField(_("kind of work"), max_length=20, choices=PlacementKind.choices)
    # A wage job.
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("employer"),
    )
    opening = models.ForeignKey(
        Opening,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("opening"),
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    skill_level = models.CharField(
        _("skill level"), max_length=20, choices=SkillLevel.choices, blank=True
    )
    monthly_wage = models.BigIntegerField(_("monthly wage"), null=True, blank=True)
    contract_type = models.CharField(
        _("contract"), max_length=20, choices=ContractType.choices, blank=True
    )
    # Self-employment.
    business_name = models.CharField(_("business name"), max_length=150, blank=True)
    premises = models.CharField(
        _("where the business works"), max_length=20, choices=Premises.choices, blank=True
    )
    activity = models.CharField(_("activity"), max_length=200, blank=True)

    starts_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = centre_scoped_manager(PlacementQuerySet)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=PlacementKind.WAGE_JOB) & WAGE_JOB_FIELDS
                | models.Q(kind=PlacementKind.SELF_EMPLOYMENT) & SELF_EMPLOYMENT_FIELDS,
                name="placement_has_the_fields_of_its_kind",
                violation_error_message=_(
                    "A wage job needs an employer, a job title, a skill level, a contract and "
                    "a wage above zero; an own business needs its name, place and activity."
                ),
            ),
            # A client has one job at a time in the programme: a new placement comes after
            # the last one ended.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(ended_on__isnull=True),
                name="placement_one_current_per_enrolment",
                violation_error_message=_("This client already has a current placement."),
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__range=(EARLIEST_DATE, LATEST_DATE)),
                name="placement_starts_on_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("starts_on")),
                name="placement_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        if self.kind == PlacementKind.WAGE_JOB:
            return f"{self.job_title} · {self.employer}"
        return self.business_name

    def save(self, *args, **kwargs):
        for name in ("job_title", "business_name", "activity"):
            setattr(self, name, normalise_text(getattr(self, name)))
        self.end_reason = normalise_text(self.end_reason, multiline=True)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


# -- follow-ups --------------------------------------------------------------------------


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    MISSED = "missed", _("Overdue")
    CANCELLED = "cancelled", _("Cancelled")


# Not yet recorded nor cancelled: what the worklist and the sweep look at.
OPEN_FOLLOW_UP_STATES = (FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.MISSED)


class Outcome(models.TextChoices):
    SAME_JOB = "same_job", _("In the same job")
    ANOTHER_JOB = "another_job", _("In another job")
    OWN_BUSINESS = "own_business", _("Own business active")
    UNEMPLOYED = "unemployed", _("Unemployed")
    UNREACHABLE = "unreachable", _("Could not be reached")


WORKING_OUTCOMES = frozenset({Outcome.SAME_JOB, Outcome.ANOTHER_JOB, Outcome.OWN_BUSINESS})


def window_opens_on(due_on: date) -> date:
    """The first day a follow-up can be recorded in its window."""
    return due_on - timedelta(days=settings.HAMI_FOLLOW_UP_OPENS_DAYS_BEFORE)


def window_closes_on(due_on: date) -> date:
    """The last day of a follow-up's window; the day after, it is overdue."""
    return due_on + timedelta(days=settings.HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER)


def overdue_before(day: date) -> date:
    """Follow-ups due before this day have had their window close by `day`: overdue."""
    return day - timedelta(days=settings.HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER)


def status_on(due_on: date, day: date) -> str:
    """The status a follow-up not yet recorded has on `day`: the rule the sweep applies to
    the whole table at once, and a new follow-up gets when it is created."""
    if day < window_opens_on(due_on):
        return FollowUpStatus.SCHEDULED
    if day <= window_closes_on(due_on):
        return FollowUpStatus.DUE
    return FollowUpStatus.MISSED


class FollowUpQuerySet(ScopedQuerySet):
    def open(self):
        """Not yet recorded nor cancelled, of a placement still current and a client still
        placed (a client withdrawn meanwhile is not called; the sweep cancels the rest)."""
        return self.filter(
            status__in=OPEN_FOLLOW_UP_STATES,
            placement__ended_on__isnull=True,
            placement__enrolment__state=State.PLACED,
        )


class FollowUp(models.Model):
    """One call of the year of follow-up (پیگیری): due some Jalali months after the
    placement started, recorded once, by the staff member it is assigned to or a colleague.

    It can be recorded from 7 days before the due date to 14 days after (settings); outside
    that window only with a reason. The daily sweep moves it from `scheduled` to `due` when
    the window opens and to `missed` (overdue) when it closes unrecorded."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("centre")
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("placement")
    )
    months_after = models.PositiveSmallIntegerField(_("months after the start"))
    due_on = models.DateField(_("due on"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    # The record, once made.
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    monthly_income = models.BigIntegerField(_("monthly income"), null=True, blank=True)
    employer_satisfaction = models.PositiveSmallIntegerField(
        _("employer's satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    client_satisfaction = models.PositiveSmallIntegerField(
        _("client's satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    notes = models.TextField(_("notes"), blank=True)
    outside_window_reason = models.TextField(
        _("why it was recorded outside its window"), blank=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)

    objects = centre_scoped_manager(FollowUpQuerySet)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "months_after"],
                name="follow_up_one_per_slot",
                violation_error_message=_("This placement already has this follow-up."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status=FollowUpStatus.DONE,
                    contacted_on__isnull=False,
                    recorded_at__isnull=False,
                    recorded_by__isnull=False,
                )
                & ~models.Q(outcome="")
                | ~models.Q(status=FollowUpStatus.DONE)
                & models.Q(outcome="", contacted_on__isnull=True, recorded_at__isnull=True),
                name="follow_up_record_exactly_when_done",
            ),
            models.CheckConstraint(
                condition=models.Q(status=FollowUpStatus.CANCELLED, cancelled_at__isnull=False)
                & ~models.Q(cancel_reason="")
                | ~models.Q(status=FollowUpStatus.CANCELLED) & models.Q(cancelled_at__isnull=True),
                name="follow_up_cancelled_with_a_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_income__isnull=True) | models.Q(monthly_income__gte=0),
                name="follow_up_income_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(employer_satisfaction__isnull=True)
                    | models.Q(employer_satisfaction__range=(1, 5))
                )
                & (
                    models.Q(client_satisfaction__isnull=True)
                    | models.Q(client_satisfaction__range=(1, 5))
                ),
                name="follow_up_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__range=(EARLIEST_DATE, LATEST_DATE)),
                name="follow_up_due_on_in_range",
            ),
        ]
        indexes = [
            # The sweep: follow-ups of a status whose window opened or closed by a day.
            models.Index(fields=["status", "due_on"], name="follow_up_sweep"),
            # A centre's worklist, navbar counts and digest: its open follow-ups by date.
            models.Index(fields=["centre", "status", "due_on"], name="follow_up_worklist"),
        ]

    def __str__(self):
        return f"{self.placement} · {self.months_after}"

    def save(self, *args, **kwargs):
        for name in ("notes", "outside_window_reason", "cancel_reason"):
            setattr(self, name, normalise_text(getattr(self, name), multiline=True))
        super().save(*args, **kwargs)

    @property
    def opens_on(self) -> date:
        return window_opens_on(self.due_on)

    @property
    def closes_on(self) -> date:
        return window_closes_on(self.due_on)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FOLLOW_UP_STATES

    def in_window(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


# -- reminders ---------------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    FOLLOW_UP_DIGEST = "follow_up_digest", _("Daily follow-up digest")
    FOLLOW_UP_ESCALATION = "follow_up_escalation", _("Overdue follow-ups, to the manager")
    PLACEMENT_SMS = "placement_sms", _("Text message: placed in work")
    FOLLOW_UP_SMS = "follow_up_sms", _("Text message: a follow-up call soon")
    SEAT_OFFER_SMS = "seat_offer_sms", _("Text message: a training seat offered")


EMAIL_KINDS = frozenset({ReminderKind.FOLLOW_UP_DIGEST, ReminderKind.FOLLOW_UP_ESCALATION})


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")


class Reminder(models.Model):
    """One e-mail to a staff member or text message to a client, at most once per
    recipient, day and kind (a unique constraint): a second sweep on the same day, or two
    at the same moment, find the row and send nothing again. A row is written before its
    message is sent and marked sent in the transaction that holds its lock, so a sweep that
    dies halfway leaves pending rows that the next one sends."""

    MAX_ATTEMPTS = 5

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="+", verbose_name=_("centre")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    day = models.DateField(_("day"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("staff member"),
    )
    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
    )
    # What a text message is about.
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = centre_scoped_manager(ScopedQuerySet)

    class Meta:
        ordering = ["-day", "kind", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "kind"],
                condition=models.Q(user__isnull=False),
                name="reminder_once_per_user_day_and_kind",
            ),
            models.UniqueConstraint(
                fields=["client", "day", "kind"],
                condition=models.Q(client__isnull=False),
                name="reminder_once_per_client_day_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, client__isnull=True)
                | models.Q(user__isnull=True, client__isnull=False),
                name="reminder_has_one_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReminderStatus.SENT) | models.Q(sent_at__isnull=False),
                name="reminder_sent_has_a_time",
            ),
        ]
        # What is still to send, oldest first.
        indexes = [models.Index(fields=["status", "day"], name="reminder_pending")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.day}"
