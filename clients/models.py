from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from centres.models import Centre, Course, Province, Trade
from centres.scoping import ScopedQuerySet, centre_scoped_manager
from hami.text import normalise_text, to_latin_digits
from hami.validators import EARLIEST_DATE, LATEST_DATE


class IdType(models.TextChoices):
    NATIONAL_CODE = "national_code", _("National code")
    RESIDENCE_CARD = "residence_card", _("Foreign national's residence card")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Category(models.TextChoices):
    PHYSICAL = "physical", _("Physical disability")
    VISUAL = "visual", _("Visual disability")
    HEARING = "hearing", _("Hearing disability")
    SPEECH = "speech", _("Speech disability")
    INTELLECTUAL = "intellectual", _("Intellectual disability")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial disability")
    FEMALE_HEAD = "female_head", _("Female head of household")
    OTHER = "other", _("Other welfare client")


class Education(models.TextChoices):
    NONE = "none", _("No schooling")
    LITERACY = "literacy", _("Literacy course")
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school")
    DIPLOMA = "diploma", _("High-school diploma")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree or higher")


class ClientQuerySet(ScopedQuerySet):
    # A search is a name, a code or a file number: a few words. The search form refuses
    # more with a message; the query never takes more, whoever calls it.
    MAX_SEARCH_WORDS = 10
    MAX_SEARCH_LENGTH = 200

    def search(self, text: str):
        """Name, national code or welfare file number; Persian or Latin digits, Arabic or
        Persian letters all find the same client."""
        text = normalise_text(to_latin_digits((text or "")[: self.MAX_SEARCH_LENGTH]))
        if not text:
            return self
        query = models.Q()
        for word in text.split(" ")[: self.MAX_SEARCH_WORDS]:
            query &= (
                models.Q(first_name__icontains=word)
                | models.Q(last_name__icontains=word)
                | models.Q(id_number__startswith=word)
                | models.Q(welfare_file_number=Client.normalise_file_number(word))
            )
        return self.filter(query)


class Client(models.Model):
    """A welfare client (مددجو) registered at a centre."""

    NATIONAL_CODE_LENGTH = 10
    # A residence card number has 5 to 20 digits, but never 10: that is a national code.
    RESIDENCE_CARD_LENGTHS = (5, 20)

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="clients", verbose_name=_("centre")
    )
    id_type = models.CharField(
        _("identity document"), max_length=20, choices=IdType.choices, default=IdType.NATIONAL_CODE
    )
    id_number = models.CharField(
        _("national code or card number"),
        max_length=20,
        help_text=_("Ten digits for a national code; Persian or Latin digits."),
    )
    welfare_file_number = models.CharField(_("welfare file number"), max_length=30, unique=True)
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=80)
    father_name = models.CharField(_("father's name"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    # Clients are reached by text message (a seat offered, a follow-up call coming); one
    # who asked not to be is never sent one.
    sms_opt_out = models.BooleanField(
        _("no text messages"),
        default=False,
        help_text=_("The client asked not to receive text messages from the centre."),
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    city = models.CharField(_("city"), max_length=80)
    address = models.TextField(_("address"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    consent_recorded_at = models.DateTimeField(_("consent to data processing recorded at"))
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The client's latest enrolment (the open one when there is one), kept by the services
    # that open enrolments, in their transaction: the client list shows its state and
    # course through one join instead of a subquery per column and row.
    current_enrolment = models.OneToOneField(
        "Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("current enrolment"),
    )
    # Its state, kept with it by `workflow.move`, so that the list's status filter and
    # order are served by an index on this table (`client_by_status_name`) instead of a
    # join to a million enrolments. Blank for a client without an enrolment.
    current_state = models.CharField(_("status"), max_length=20, blank=True, editable=False)

    objects = centre_scoped_manager(ClientQuerySet)
    # The current enrolment is derived (the enrolments have their own history).
    history = HistoricalRecords(excluded_fields=["current_enrolment", "current_state"])

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                name="client_unique_identity_document",
                violation_error_message=_(
                    "A client with this identity number is already registered."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(id_type="national_code")
                | models.Q(id_number__regex=r"^[0-9]{10}$"),
                name="client_national_code_is_ten_digits",
            ),
            # A number refused as a national code must not come back as a residence card.
            models.CheckConstraint(
                condition=~models.Q(id_type="residence_card")
                | (
                    models.Q(id_number__regex=r"^[0-9]{5,20}$")
                    & ~models.Q(id_number__regex=r"^[0-9]{10}$")
                ),
                name="client_residence_card_is_not_a_national_code",
                violation_error_message=_(
                    "A residence card number is 5 to 20 digits, and not 10: a number of 10 "
                    "digits is a national code."
                ),
            ),
            # Stored as `normalise_file_number` writes it, so the unique index on the
            # column also refuses the same number in other letter case.
            models.CheckConstraint(
                condition=models.Q(welfare_file_number=Upper("welfare_file_number"))
                & ~models.Q(welfare_file_number__contains=" ")
                & ~models.Q(welfare_file_number=""),
                name="client_welfare_file_number_is_normalised",
                violation_error_message=_(
                    "Write the welfare file number in capital letters, without spaces."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(first_name="") & ~models.Q(last_name=""),
                name="client_has_a_name",
                violation_error_message=_("Enter the client's first and last name."),
            ),
            models.CheckConstraint(
                condition=models.Q(birth_date__range=(EARLIEST_DATE, LATEST_DATE)),
                name="client_birth_date_in_range",
                violation_error_message=_("Enter a real birth date."),
            ),
        ]
        # The search's indexes are PostgreSQL's own (trigrams, LIKE prefixes): migration
        # 0011_search_indexes makes them there, and SQLite scans instead.
        indexes = [
            # The client list in name order across the network, and its next pages:
            # ORDER BY last_name, first_name, id [WHERE (last_name, first_name, id) > (…)].
            models.Index(fields=["last_name", "first_name", "id"], name="client_by_name"),
            # A centre's client list in name order: WHERE centre_id = … ORDER BY last_name,
            # first_name, id.
            models.Index(
                fields=["centre", "last_name", "first_name", "id"], name="client_by_centre_name"
            ),
            # The list by registration, newest or oldest first: ORDER BY created_at, id.
            models.Index(fields=["created_at", "id"], name="client_by_registration"),
            # The list filtered by status, in name order (and ordered by status):
            # WHERE current_state = … ORDER BY last_name, first_name, id.
            models.Index(
                fields=["current_state", "last_name", "first_name", "id"],
                name="client_by_status_name",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.normalise_text_fields()
        super().save(*args, **kwargs)

    def normalise_text_fields(self) -> None:
        """What `save` does to the text before storing it; bulk creation calls it too."""
        for name in ("first_name", "last_name", "father_name", "city"):
            setattr(self, name, normalise_text(getattr(self, name)))
        self.address = normalise_text(self.address, multiline=True)
        self.welfare_file_number = self.normalise_file_number(self.welfare_file_number)

    @staticmethod
    def normalise_file_number(value: str) -> str:
        """A welfare file number as it is stored and compared: Latin digits, capital
        letters, no spaces (`isf-01-۰۰۰۸۱` is `ISF-01-00081`)."""
        return to_latin_digits(normalise_text(value or "")).replace(" ", "").upper()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class WorkCapacity(models.TextChoices):
    READY = "ready", _("Ready for training or work")
    NEEDS_SUPPORT = "needs_support", _("Ready with support")
    NOT_READY = "not_ready", _("Not ready yet")


class Track(models.TextChoices):
    WAGE_JOB = "wage_job", _("Wage job")
    OWN_BUSINESS = "own_business", _("Own business")
    PRE_VOCATIONAL = "pre_vocational", _("Pre-vocational training")
    REHABILITATION = "rehabilitation", _("Rehabilitation referral")


class AssessmentQuerySet(ScopedQuerySet):
    centre_lookup = "client__centre"


class Assessment(models.Model):
    """An intake assessment (ارزیابی). A client may be assessed several times; the latest
    one drives the journey."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("client")
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessor"),
    )
    interested_in_work = models.BooleanField(_("interested in work"))
    work_capacity = models.CharField(
        _("work capacity"), max_length=20, choices=WorkCapacity.choices
    )
    recommended_track = models.CharField(
        _("recommended track"), max_length=20, choices=Track.choices
    )
    preferred_trades = models.ManyToManyField(
        Trade, blank=True, related_name="+", verbose_name=_("preferred trades")
    )
    referral = models.CharField(
        _("referred to"),
        max_length=200,
        blank=True,
        help_text=_("Where the client was referred for support, when not ready yet."),
    )
    review_on = models.DateField(
        _("review on"),
        null=True,
        blank=True,
        help_text=_("When to assess again; the client returns to the worklist on this date."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = centre_scoped_manager(AssessmentQuerySet)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        get_latest_by = ["assessed_on", "created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.client} · {self.assessed_on}"

    @property
    def is_ready(self) -> bool:
        return self.interested_in_work and self.work_capacity != WorkCapacity.NOT_READY


class State(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSED = "assessed", _("Assessed")
    WAITING = "waiting", _("On the waiting list")
    TRAINING = "training", _("In training")
    TRAINED = "trained", _("Trained")
    PLACED = "placed", _("Placed")
    SUSTAINED = "sustained", _("Sustained employment")
    # The job ended before the year of follow-up was over: the centre supports the client
    # towards a new placement.
    SEEKING_WORK = "seeking_work", _("Seeking work again")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_READY = "not_ready", _("Not ready yet")


CLOSED_STATES = frozenset({State.SUSTAINED, State.WITHDRAWN})
OPEN_STATES = frozenset(State) - CLOSED_STATES


class ExitReason(models.TextChoices):
    """Why a withdrawn enrolment ended. Blank on every other enrolment (and on those
    withdrawn before the reason was recorded, which count as `withdrew`)."""

    WITHDREW = "withdrew", _("The client left the programme")
    DECEASED = "deceased", _("Deceased")
    MEDICAL = "medical", _("Long medical treatment")
    INSTITUTIONALISED = "institutionalised", _("Institutionalised")


# Exits the programme could not have prevented: the outcome indicators leave them out of
# both numerator and denominator, as workforce programmes do (US WIOA's exclusions).
EXCLUDED_EXIT_REASONS = frozenset(
    {ExitReason.DECEASED, ExitReason.MEDICAL, ExitReason.INSTITUTIONALISED}
)


class EnrolmentQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(state__in=CLOSED_STATES)

    def in_training(self, centre):
        return self.filter(centre=centre, state=State.TRAINING)

    def waiting_list(self, centre):
        """The centre's FIFO waiting list, first in line first."""
        return self.filter(centre=centre, state=State.WAITING).order_by("waiting_since", "pk")


# A trained client keeps the course's record: its dates and attendance.
# After a placement (placed, sustained, seeking work again), the client either finished a
# course, with that whole record, or was placed straight from the assessment (a client
# who needs no training) and has no finished course at all.
AFTER_PLACEMENT = frozenset({State.PLACED, State.SUSTAINED, State.SEEKING_WORK})


def _states(states) -> list[str]:
    """A constraint's list of states, in a stable order (migrations compare it)."""
    return sorted(states)


FINISHED_COURSE = models.Q(
    course__isnull=False,
    training_started_on__isnull=False,
    training_finished_on__isnull=False,
    attendance_percent__isnull=False,
)


class Enrolment(models.Model):
    """A client's journey at a centre (پرونده مرکز), from intake to sustained work. Its state
    and the fields that go with it change only through `clients.workflow.move`."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("client")
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("centre")
    )
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.INTAKE, db_index=True
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("course"),
    )
    waiting_since = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    seat_offered_at = models.DateTimeField(_("seat offered at"), null=True, blank=True)
    training_started_on = models.DateField(_("training started on"), null=True, blank=True)
    training_finished_on = models.DateField(_("training finished on"), null=True, blank=True)
    attendance_percent = models.PositiveSmallIntegerField(
        _("attendance (%)"), null=True, blank=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    exit_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=ExitReason.choices, blank=True
    )
    # Changes with every step: a form shown for one version is refused once the file has
    # moved on (two tabs, a retried submit).
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    objects = centre_scoped_manager(EnrolmentQuerySet)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=~models.Q(state__in=_states(CLOSED_STATES)),
                name="enrolment_one_open_per_client",
                violation_error_message=_("This client already has an open enrolment."),
            ),
            models.CheckConstraint(
                condition=models.Q(attendance_percent__isnull=True)
                | models.Q(attendance_percent__lte=100),
                name="enrolment_attendance_at_most_100",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=State.WAITING) | models.Q(waiting_since__isnull=False),
                name="enrolment_waiting_has_a_place_in_line",
            ),
            models.CheckConstraint(
                condition=models.Q(seat_offered_at__isnull=True) | models.Q(state=State.WAITING),
                name="enrolment_only_the_waiting_hold_a_seat_offer",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=State.TRAINING)
                | models.Q(course__isnull=False, training_started_on__isnull=False),
                name="enrolment_trainee_has_course_and_start_date",
            ),
            # A seat offer is confirmed for the course the client asked for.
            models.CheckConstraint(
                condition=~models.Q(state=State.WAITING) | models.Q(course__isnull=False),
                name="enrolment_waiting_has_a_course",
            ),
            # The worklist brings a parked client back on the review date.
            models.CheckConstraint(
                condition=models.Q(state=State.NOT_READY, review_on__isnull=False)
                | (~models.Q(state=State.NOT_READY) & models.Q(review_on__isnull=True)),
                name="enrolment_review_date_exactly_when_not_ready",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=_states(CLOSED_STATES), closed_at__isnull=False)
                | (~models.Q(state__in=_states(CLOSED_STATES)) & models.Q(closed_at__isnull=True)),
                name="enrolment_closed_at_exactly_when_closed",
            ),
            # An exit reason says why a withdrawn enrolment ended; nothing else has one.
            models.CheckConstraint(
                condition=models.Q(exit_reason="") | models.Q(state=State.WITHDRAWN),
                name="enrolment_exit_reason_only_when_withdrawn",
            ),
            models.CheckConstraint(
                condition=models.Q(training_finished_on__isnull=True)
                | models.Q(
                    training_started_on__isnull=False,
                    training_finished_on__gte=models.F("training_started_on"),
                ),
                name="enrolment_training_finishes_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=State.TRAINED) | FINISHED_COURSE,
                name="enrolment_trained_has_course_dates_and_attendance",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=_states(AFTER_PLACEMENT))
                | FINISHED_COURSE
                | models.Q(training_finished_on__isnull=True, attendance_percent__isnull=True),
                name="enrolment_placed_finished_a_course_or_none",
            ),
        ]
        indexes = [models.Index(fields=["centre", "state", "waiting_since"])]

    def __str__(self):
        return f"{self.client} · {self.centre} · {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES


class EnrolmentTransitionQuerySet(ScopedQuerySet):
    centre_lookup = "enrolment__centre"


class EnrolmentTransition(models.Model):
    """One step of an enrolment's state machine: who moved it, when, and why."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("enrolment")
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = centre_scoped_manager(EnrolmentTransitionQuerySet)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("enrolment transition")
        verbose_name_plural = _("enrolment transitions")

    def __str__(self):
        return f"{self.enrolment_id}: {self.from_state} → {self.to_state}"


# -- bulk import -------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    CHECKING = "checking", _("Checking the rows")
    SAVING = "saving", _("Saving the clients")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


FINISHED_IMPORT_STATES = frozenset({ImportStatus.DONE, ImportStatus.FAILED})


class ClientImportQuerySet(ScopedQuerySet):
    pass


class ClientImport(models.Model):
    """A confirmed import of a client list, run by a background task: the file waiting in
    the imports storage, and how far the task has got. All rows are saved in one
    transaction together with `status=done`, so an import is either done or saved nothing."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="+", verbose_name=_("centre")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file_name = models.CharField(_("file in storage"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("clients imported"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Rows found wrong when the task checked them again: [{"row", "column", "message"}].
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = centre_scoped_manager(ClientImportQuerySet)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("client import")
        verbose_name_plural = _("client imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_checked__lte=models.F("rows_total")),
                name="client_import_checked_at_most_total",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ImportStatus.DONE)
                | models.Q(created_count=models.F("rows_total"), finished_at__isnull=False),
                name="client_import_done_saved_every_row",
            ),
        ]

    def __str__(self):
        return f"{self.original_name or self.file_name} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_IMPORT_STATES
