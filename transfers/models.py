"""Requests to move a client's file (انتقال پرونده) from one centre to another.

A request belongs to the sending centre, where the file is (`centre_lookup`): its manager
decides it, and the national office sees every request. The receiving centre's staff make
it from the registration form's duplicate message, and see nothing of the file until it
has moved."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.models import Centre
from centres.scoping import ScopedQuerySet, centre_scoped_manager
from clients.models import Client


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    AGREED = "agreed", _("Agreed: the file moved")
    REFUSED = "refused", _("Refused")


class TransferQuerySet(ScopedQuerySet):
    centre_lookup = "from_centre"

    def pending(self):
        return self.filter(status=Status.PENDING)


class Transfer(models.Model):
    """One request to move a client's file, and its decision. The national office may move
    a file on its own: that transfer is agreed when it is made."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("client")
    )
    from_centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="+", verbose_name=_("sending centre")
    )
    to_centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving centre")
    )
    reason = models.TextField(_("why the file should move"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    objects = centre_scoped_manager(TransferQuerySet)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            # Two centres asking for the same client: one request is decided at a time.
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status="pending"),
                name="transfer_one_pending_per_client",
                violation_error_message=_(
                    "A transfer of this client's file is already waiting for a decision."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(from_centre=models.F("to_centre")),
                name="transfer_between_two_centres",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="transfer_has_a_reason"),
            models.CheckConstraint(
                condition=models.Q(
                    status="pending", decided_at__isnull=True, decided_by__isnull=True
                )
                | (
                    ~models.Q(status="pending")
                    & models.Q(decided_at__isnull=False, decided_by__isnull=False)
                    & ~models.Q(decision_reason="")
                ),
                name="transfer_decided_with_a_reason_exactly_when_not_pending",
            ),
        ]
        indexes = [
            # The list of a sending centre's requests (its manager's), pending first.
            models.Index(fields=["from_centre", "status", "requested_at"], name="transfer_list"),
        ]

    def __str__(self):
        return f"{self.client_id}: {self.from_centre_id} → {self.to_centre_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING
