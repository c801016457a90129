"""The daily follow-up sweep (`sweep_follow_ups`, the Celery beat task at 07:00 Tehran time
and the management command of the same name): on a day,

1. follow-ups of a placement that ended, or of a client no longer placed, are cancelled;
2. follow-ups whose window opened become `due`, those whose window closed unrecorded
   become `missed` (overdue) — three UPDATE statements, no loop over the table;
3. the day's reminders are written: one digest e-mail to each member (with an e-mail
   address) of every centre that has due or overdue follow-ups; an escalation to each
   manager of a centre with follow-ups overdue for more than
   `HAMI_FOLLOW_UP_ESCALATE_DAYS_OVERDUE` days; a text message to each client whose
   follow-up call is `HAMI_FOLLOW_UP_SMS_DAYS_BEFORE` days away or less;
4. every pending reminder is sent (`reminders.deliver_pending`).

Steps 1–3 are one transaction; each message of step 4 its own. Running it twice on a day
sends nothing the second time (the reminders' unique constraint); a run that died halfway
is finished by the next. It runs inside the scope its caller opened (the all-centres
scope, on purpose)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from centres.roles import MembershipRole
from clients.models import State

from .models import (
    OPEN_FOLLOW_UP_STATES,
    FollowUp,
    FollowUpStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    overdue_before,
)
from .reminders import (
    Delivery,
    deliver_pending,
    escalate_before,
    members_to_remind,
)


@dataclass
class SweepRun:
    on: date
    cancelled: int = 0
    due: int = 0
    missed: int = 0
    digests: int = 0  # reminders written by this run (a second run writes none)
    escalations: int = 0
    text_messages: int = 0
    delivery: Delivery = field(default_factory=Delivery)

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "cancelled": self.cancelled,
            "due": self.due,
            "missed": self.missed,
            "digests": self.digests,
            "escalations": self.escalations,
            "text_messages": self.text_messages,
            "sent": self.delivery.sent,
            "skipped": self.delivery.skipped,
            "failed": self.delivery.failed,
        }


def sweep_follow_ups(*, on: date, at: datetime, deliver: bool = True) -> SweepRun:
    """Steps 1–3, then step 4 here (`deliver`), or left to the caller: the Celery task
    hands the pending reminders to the worker pool in batches, so thousands of messages
    go out in parallel and each batch is retried on its own."""
    run = SweepRun(on=on)
    with transaction.atomic():
        run.cancelled = cancel_orphans(at=at)
        run.missed, run.due = update_statuses(on=on)
        run.digests, run.escalations = queue_digests(on=on)
        run.text_messages = queue_follow_up_sms(on=on)
    if deliver:
        run.delivery = deliver_pending(on=on, at=at)
    return run


def pending_batches(*, on: date, size: int = 200):
    """The pending reminders of `on` (and earlier), in batches of ids, for the workers:
    a centre's e-mails kept together, so each batch reads the centre's follow-ups once."""
    ids = list(
        Reminder.objects.filter(status=ReminderStatus.PENDING, day__lte=on)
        .order_by("centre_id", "kind", "pk")
        .values_list("pk", flat=True)
    )
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def cancel_orphans(*, at: datetime) -> int:
    """Cancel the open follow-ups of placements that ended, or of clients no longer
    placed (withdrawn meanwhile): nobody calls them."""
    orphans = FollowUp.objects.filter(status__in=OPEN_FOLLOW_UP_STATES).filter(
        Q(placement__ended_on__isnull=False) | ~Q(placement__enrolment__state=State.PLACED)
    )
    return orphans.update(
        status=FollowUpStatus.CANCELLED,
        cancelled_at=at,
        cancel_reason=_("The client is no longer in this placement."),
    )


def update_statuses(*, on: date) -> tuple[int, int]:
    """Move follow-ups into `missed` (their window closed before `on`) and `due` (their
    window is open on `on`), in two UPDATEs that the (status, due_on) index serves. The
    rule is `models.status_on`'s, written as date bounds: the window of a follow-up due on
    d is [d - opens_before, d + overdue_after]."""
    opens_by = on + timedelta(days=settings.HAMI_FOLLOW_UP_OPENS_DAYS_BEFORE)
    closed_before = overdue_before(on)  # due before this day: the window has closed
    missed = FollowUp.objects.filter(
        status__in=(FollowUpStatus.SCHEDULED, FollowUpStatus.DUE), due_on__lt=closed_before
    ).update(status=FollowUpStatus.MISSED)
    due = FollowUp.objects.filter(
        status=FollowUpStatus.SCHEDULED, due_on__gte=closed_before, due_on__lte=opens_by
    ).update(status=FollowUpStatus.DUE)
    return missed, due


def queue_digests(*, on: date) -> tuple[int, int]:
    """Write today's digest for each member of a centre with due or overdue follow-ups,
    and an escalation for each manager of a centre with follow-ups long overdue. Rows
    already written today are left alone (the unique constraint)."""
    centres = (
        FollowUp.objects.filter(status__in=(FollowUpStatus.DUE, FollowUpStatus.MISSED))
        .values("centre_id")
        .annotate(
            escalated=Count(
                "pk",
                filter=Q(status=FollowUpStatus.MISSED, due_on__lt=escalate_before(on)),
            )
        )
        .order_by()
    )
    escalating = {row["centre_id"] for row in centres if row["escalated"]}
    members = members_to_remind({row["centre_id"] for row in centres})
    digests = [
        Reminder(
            centre_id=m.centre_id, user_id=m.user_id, day=on, kind=ReminderKind.FOLLOW_UP_DIGEST
        )
        for m in members
    ]
    escalations = [
        Reminder(
            centre_id=m.centre_id, user_id=m.user_id, day=on, kind=ReminderKind.FOLLOW_UP_ESCALATION
        )
        for m in members
        if m.role == MembershipRole.MANAGER and m.centre_id in escalating
    ]
    return (
        _written(digests, on=on, kind=ReminderKind.FOLLOW_UP_DIGEST),
        _written(escalations, on=on, kind=ReminderKind.FOLLOW_UP_ESCALATION),
    )


def queue_follow_up_sms(*, on: date) -> int:
    """Write a text message for each client whose follow-up call is due within
    `HAMI_FOLLOW_UP_SMS_DAYS_BEFORE` days and who has not had one for it; not for clients
    who opted out or have no mobile."""
    told = Reminder.objects.filter(follow_up=OuterRef("pk"), kind=ReminderKind.FOLLOW_UP_SMS)
    coming = (
        FollowUp.objects.filter(
            status__in=(FollowUpStatus.SCHEDULED, FollowUpStatus.DUE),
            due_on__gte=on,
            due_on__lte=on + timedelta(days=settings.HAMI_FOLLOW_UP_SMS_DAYS_BEFORE),
            placement__enrolment__client__sms_opt_out=False,
        )
        .exclude(placement__enrolment__client__mobile="")
        .filter(~Exists(told))
        .values_list("pk", "centre_id", "placement__enrolment__client_id")
    )
    messages = [
        Reminder(
            centre_id=centre_id,
            client_id=client_id,
            follow_up_id=pk,
            day=on,
            kind=ReminderKind.FOLLOW_UP_SMS,
        )
        for pk, centre_id, client_id in coming
    ]
    return _written(messages, on=on, kind=ReminderKind.FOLLOW_UP_SMS)


def _written(reminders, *, on: date, kind: str) -> int:
    """Insert the reminders (all of `kind`, for day `on`) not yet written; how many were
    new. (Counted before and after: `ignore_conflicts` does not say which it skipped.)"""
    reminders = list(reminders)
    if not reminders:
        return 0
    written = Reminder.objects.filter(day=on, kind=kind)
    before = written.count()
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True, batch_size=1000)
    return written.count() - before
