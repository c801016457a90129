import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hami.text import normalise_text
from hami.validators import EARLIEST_DATE, LATEST_DATE

from .roles import MembershipRole
from .scoping import ScopedQuerySet, centre_scoped_manager


class Province(models.Model):
    """One of Iran's 31 provinces (loaded by a data migration)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=60, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, unique=True)
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_(
            "The province's population, for the network page's seats per 100,000 people "
            "(loaded from the 2016 census; update it when newer figures are published)."
        ),
    )

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name_fa if get_language() == "fa" else self.name_en


class Operator(models.TextChoices):
    GOVERNMENTAL = "governmental", _("Governmental")
    NGO = "ngo", _("Non-governmental organisation")
    PRIVATE = "private", _("Private")


class CentreQuerySet(ScopedQuerySet):
    centre_lookup = "pk"


class Centre(models.Model):
    """A job-support centre. It trains at most 60 people at a time."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=150)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="centres", verbose_name=_("province")
    )
    city = models.CharField(_("city"), max_length=80)
    operator = models.CharField(
        _("operator"), max_length=20, choices=Operator.choices, default=Operator.GOVERNMENTAL
    )
    training_capacity = models.PositiveSmallIntegerField(
        _("training capacity"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(settings.HAMI_MAX_TRAINING_CAPACITY)],
        help_text=_("How many people the centre can train at the same time (1 to 60)."),
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        ordering = ["province__name_fa", "name"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(training_capacity__gte=1, training_capacity__lte=60),
                name="centre_training_capacity_1_to_60",
                violation_error_message=_("The training capacity must be between 1 and 60."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalise_text(self.name)
        self.city = normalise_text(self.city)
        super().save(*args, **kwargs)


def centre_choices() -> list[tuple[int, str]]:
    """Every centre as (id, name), in the centres' order, for a list filter's <select>: a
    thousand at national scale, read without making a model instance of each."""
    return list(Centre.objects.order_by(*Centre._meta.ordering).values_list("pk", "name"))


class Membership(models.Model):
    """Makes a user a member of one centre's staff, as staff or as the centre's manager."""

    Role = MembershipRole

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("centre")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    # The language of the e-mails Hami sends this member (follow-up digests, escalations).
    language = models.CharField(
        _("language of e-mails"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["centre", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} · {self.centre} · {self.get_role_display()}"


class Trade(models.Model):
    """A vocational trade taught at the centres (tailoring, computer skills, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name_fa"]
        verbose_name = _("trade")
        verbose_name_plural = _("trades")

    def __str__(self):
        return self.name_fa if get_language() == "fa" else self.name_en

    def save(self, *args, **kwargs):
        self.name_fa = normalise_text(self.name_fa)
        super().save(*args, **kwargs)


class CourseQuerySet(ScopedQuerySet):
    def open_for_enrolment(self, on):
        """Courses a trainee can still join: not yet finished."""
        return self.filter(ends_on__gte=on)


class Course(models.Model):
    """A training course a centre runs in one trade."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="courses", verbose_name=_("centre")
    )
    trade = models.ForeignKey(
        Trade, on_delete=models.PROTECT, related_name="courses", verbose_name=_("trade")
    )
    title = models.CharField(_("title"), max_length=150)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hours = models.PositiveSmallIntegerField(
        _("hours"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    instructor = models.CharField(_("instructor"), max_length=120, blank=True)
    awards_certificate = models.BooleanField(
        _("certificate from the technical and vocational training organisation"),
        default=False,
    )

    objects = centre_scoped_manager(CourseQuerySet)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_it_starts",
                violation_error_message=_("A course cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__gte=EARLIEST_DATE, ends_on__lte=LATEST_DATE),
                name="course_dates_in_range",
                violation_error_message=_("Enter the real dates of the course."),
            ),
            models.CheckConstraint(
                condition=~models.Q(title=""),
                name="course_has_a_title",
                violation_error_message=_("Give the course a title."),
            ),
            # A centre does not run two courses of the same title from the same day: a
            # second one is the same course entered twice (two tabs, a retried submit).
            models.UniqueConstraint(
                "centre",
                Lower("title"),
                "starts_on",
                name="course_unique_title_and_start_per_centre",
                violation_error_message=_(
                    "This centre already has a course of this title starting on this day."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = normalise_text(self.title)
        super().save(*args, **kwargs)


# -- centre-opening applications ---------------------------------------------------------


def application_storage():
    """Where applicants' documents are kept: `STORAGES["applications"]`, a private storage
    that no URL serves; the national office reads them through a view."""
    return storages["applications"]


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, waiting for review")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CentreApplication(models.Model):
    """An NGO's or private operator's application to open a job-support centre. It is
    followed by its applicant through its tracking code, and reviewed and decided by the
    national office; approval creates the centre (`centre`)."""

    State = ApplicationState
    OPERATORS = [Operator.NGO, Operator.PRIVATE]

    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    organisation_name = models.CharField(_("organisation's name"), max_length=150)
    operator = models.CharField(
        _("kind of organisation"),
        max_length=20,
        choices=[(o.value, o.label) for o in OPERATORS],
    )
    registration_number = models.CharField(_("registration number"), max_length=30)
    contact_name = models.CharField(_("contact person"), max_length=120)
    contact_mobile = models.CharField(_("contact mobile"), max_length=11)
    contact_email = models.EmailField(_("contact e-mail"), max_length=150)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="centre_applications",
        verbose_name=_("province"),
    )
    city = models.CharField(_("city"), max_length=80)
    address = models.TextField(_("address of the premises"), max_length=500)
    planned_capacity = models.PositiveSmallIntegerField(
        _("planned training capacity"),
        validators=[MinValueValidator(1), MaxValueValidator(settings.HAMI_MAX_TRAINING_CAPACITY)],
    )
    trades = models.ManyToManyField(
        Trade, related_name="centre_applications", verbose_name=_("trades")
    )
    staff_and_instructors = models.TextField(_("staff and instructors"), max_length=3000)
    state = models.CharField(
        _("status"), max_length=20, choices=ApplicationState.choices, default="submitted"
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    language = models.CharField(
        _("applicant's language"), max_length=8, choices=settings.LANGUAGES, default="fa"
    )

    # The national office's review.
    licence_checked = models.BooleanField(_("the operating licence is valid"), default=False)
    lease_checked = models.BooleanField(_("the premises lease is valid"), default=False)
    certificates_checked = models.BooleanField(
        _("the instructors' certificates are valid"), default=False
    )
    premises_suitable = models.BooleanField(
        _("the premises are suitable and accessible"), default=False
    )
    site_visit_on = models.DateField(_("site visit on"), null=True, blank=True)
    site_visit_notes = models.TextField(_("site visit notes"), max_length=3000, blank=True)

    # Approval: the centre it created, and the day the centre opens.
    centre = models.OneToOneField(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("centre"),
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    centre_opened_at = models.DateTimeField(_("centre opened at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("centre-opening application")
        verbose_name_plural = _("centre-opening applications")
        indexes = [
            # The national office's list, filtered by province and status, newest first.
            models.Index(fields=["province", "state", "-submitted_at"], name="application_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_capacity__gte=1, planned_capacity__lte=60),
                name="application_capacity_1_to_60",
                violation_error_message=_("The training capacity must be between 1 and 60."),
            ),
            # An approved application has its centre, and only an approved one: with the
            # one-to-one above, one application makes exactly one centre.
            models.CheckConstraint(
                condition=(
                    models.Q(state="approved", centre__isnull=False, opens_on__isnull=False)
                    | (~models.Q(state="approved") & models.Q(centre__isnull=True))
                ),
                name="application_centre_exactly_when_approved",
                violation_error_message=_("Only an approved application has a centre."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation_name} ({self.tracking_code})"

    @property
    def tracking_code_display(self) -> str:
        """The code as people read it aloud: three groups of four."""
        code = self.tracking_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def is_open_to_applicant(self) -> bool:
        """Whether the applicant may change the application (the office asked them to)."""
        return self.state == ApplicationState.CHANGES_REQUESTED

    @property
    def checklist_complete(self) -> bool:
        return all(
            getattr(self, name)
            for name in (
                "licence_checked",
                "lease_checked",
                "certificates_checked",
                "premises_suitable",
            )
        )


class DocumentKind(models.TextChoices):
    LICENCE = "licence", _("Operating licence")
    LEASE = "lease", _("Premises lease")
    CERTIFICATE = "certificate", _("Instructor's certificate")


class DocumentType(models.TextChoices):
    """What a document is, read from its first bytes (never from its name)."""

    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"


def _document_name(document, filename):
    # The stored name is ours: a random name with the extension of the type its content
    # has; what the applicant called the file is kept only for display.
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    return f"{uuid.uuid4().hex}.{extension.get(document.content_type, 'bin')}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(
        CentreApplication,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(
        _("file"), storage=application_storage, upload_to=_document_name, max_length=100
    )
    content_type = models.CharField(_("type"), max_length=30, choices=DocumentType.choices)
    original_name = models.CharField(_("file name"), max_length=120)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["kind", "uploaded_at", "pk"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self):
        return self.original_name


class ApplicationAction(models.TextChoices):
    SUBMIT = "submit", _("Application submitted")
    REVIEW = "review", _("Review started")
    ASK_FOR_CHANGES = "ask_for_changes", _("Changes asked for")
    RESUBMIT = "resubmit", _("Application changed and sent again")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class ApplicationEvent(models.Model):
    """One step of an application's history: who (empty: the applicant), when, what, why.
    The applicant sees it on the tracking page."""

    application = models.ForeignKey(
        CentreApplication,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("application"),
    )
    action = models.CharField(_("action"), max_length=20, choices=ApplicationAction.choices)
    from_state = models.CharField(
        _("from"), max_length=20, choices=ApplicationState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=ApplicationState.choices)
    reason = models.TextField(_("reason"), max_length=3000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self):
        return f"{self.application} · {self.get_action_display()}"


class ManagerInvitation(models.Model):
    """A single-use, expiring link for the first manager account of an approved centre.
    Only the token's digest is stored: the link itself is shown once and e-mailed."""

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("centre")
    )
    email = models.EmailField(_("sent to"), max_length=150)
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("account made"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("manager invitation")
        verbose_name_plural = _("manager invitations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(used_at__isnull=True, user__isnull=True)
                    | models.Q(used_at__isnull=False, user__isnull=False)
                ),
                name="invitation_used_exactly_when_account_made",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_it_is_made",
            ),
        ]

    def __str__(self):
        return f"{self.centre} · {self.email}"
