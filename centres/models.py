from django.conf import settings
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
