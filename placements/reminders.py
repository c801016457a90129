"""Reminders: the e-mails Hami sends staff about follow-ups, and the text messages it sends
clients (a seat offered, a placement, a follow-up call coming).

Every message is a `Reminder` row first, written once per recipient, day and kind (a unique
constraint), and sent second, by `deliver`, under that row's lock:

- a second sweep on the same day, or two at the same moment, find the row and send nothing
  again (the lock is taken with SKIP LOCKED, so a sweep never waits for another);
- a message whose sending failed stays pending with its error, and is tried again by the
  task's retry or by the next sweep, up to `Reminder.MAX_ATTEMPTS`;
- a sweep that dies halfway leaves pending rows, which the next run sends.

A message is sent while its row is locked and marked sent in the same transaction: if the
process dies between the two, the next run sends it again (at least once, never lost).

Functions here run inside a scope the caller opened (a task or command opens the
all-centres scope on purpose)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from sms import Message as SmsMessage

from centres.models import Membership
from clients.models import State
from hami.jalali import display_date
from hami.text import localise_digits

from .models import (
    EMAIL_KINDS,
    FollowUp,
    FollowUpStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    overdue_before,
)

logger = logging.getLogger(__name__)

# Text messages go to clients in Persian: their language, whatever the staff's.
CLIENT_LANGUAGE = "fa"
# A digest names at most this many follow-ups of each kind; the rest are counted.
DIGEST_ROWS = 25
# A text message left pending this many days (the broker was down, a provider failed)
# is no longer worth sending.
SMS_STALE_AFTER_DAYS = 3


class ReminderNotSent(Exception):
    """Some messages could not be sent (a provider or the mail server failed); they stay
    pending and the task is retried with backoff."""


# -- queueing ------------------------------------------------------------------------------


def queue_client_sms(*, kind: str, client, centre_id: int, day: date, **about) -> Reminder | None:
    """Write the client's text message of `kind` for `day`, in the caller's transaction,
    and hand it to the worker once that transaction commits. Nothing is written for a
    client who opted out or has no mobile, nor a second time for the same day and kind.
    If the broker is down, the row waits for the next sweep: the page never fails."""
    if client.sms_opt_out or not client.mobile:
        return None
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                centre_id=centre_id, kind=kind, day=day, client=client, **about
            )
    except IntegrityError:  # already written today
        return None
    transaction.on_commit(partial(hand_to_worker, reminder.pk))
    return reminder


def hand_to_worker(reminder_id: int) -> None:
    """Ask the worker to send one reminder now. A broker that cannot be reached is logged
    and passed over: the row is pending, and the next sweep sends it."""
    from .tasks import send_reminder  # tasks import this module

    try:
        send_reminder.apply_async((reminder_id,), retry=False)
    except Exception:  # any broker failure: the sweep is the safety net
        logger.warning(
            "Reminder %s waits for the next sweep: the broker is unreachable.",
            reminder_id,
        )


# -- sending -------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    skipped: int = 0
    failed: int = 0  # failed this time; still pending unless out of attempts

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def supersede_old_digests(*, on: date) -> int:
    """Pending e-mails of days before `on` are superseded by that day's digest."""
    return Reminder.objects.filter(
        status=ReminderStatus.PENDING, kind__in=EMAIL_KINDS, day__lt=on
    ).update(status=ReminderStatus.SKIPPED, last_error=_("Superseded by a newer digest."))


def deliver_pending(*, on: date, at: datetime, ids=None) -> Delivery:
    """Send every pending reminder of `on` (or those of `ids`), each in its own
    transaction. Pending e-mails of earlier days are superseded by today's digest and
    marked not sent."""
    supersede_old_digests(on=on)
    pending = Reminder.objects.filter(status=ReminderStatus.PENDING, day__lte=on)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    delivery = Delivery()
    digests: dict = {}  # one reading of a centre's follow-ups for all its members
    for reminder_id in pending.order_by("pk").values_list("pk", flat=True).iterator():
        delivery.add(deliver(reminder_id, on=on, at=at, digests=digests))
    return delivery


def deliver(reminder_id: int, *, on: date, at: datetime, digests: dict | None = None) -> str:
    """Send one pending reminder under its row lock. Returns "sent", "skipped" (not
    needed any more, or the client opted out), "failed" (kept pending for another try,
    or failed for good after `MAX_ATTEMPTS`), or "skipped" when another run holds it or
    has sent it."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user__membership", "client", "centre")
            .filter(pk=reminder_id, status=ReminderStatus.PENDING)
            .first()
        )
        if reminder is None:
            return "skipped"  # sent, or being sent, by another run
        try:
            message = compose(reminder, on=on, digests=digests if digests is not None else {})
        except NotNeeded as why:
            reminder.status = ReminderStatus.SKIPPED
            reminder.last_error = str(why)
            reminder.save(update_fields=["status", "last_error"])
            return "skipped"
        reminder.attempts += 1
        try:
            message.send()
        except Exception as error:  # any provider or SMTP failure
            logger.warning(
                "Reminder %s not sent (attempt %s): %s", reminder.pk, reminder.attempts, error
            )
            reminder.last_error = f"{type(error).__name__}: {error}"[:1000]
            if reminder.attempts >= Reminder.MAX_ATTEMPTS:
                reminder.status = ReminderStatus.FAILED
            reminder.save(update_fields=["attempts", "last_error", "status"])
            return "failed"
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = at
        reminder.last_error = ""
        reminder.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return "sent"


class NotNeeded(Exception):
    """The reminder has nothing left to say (all recorded, the seat taken…) or may not be
    sent (the client opted out); its message says which."""


def compose(reminder: Reminder, *, on: date, digests: dict):
    """The message of `reminder`, ready to send: an e-mail for staff, a text for clients."""
    if reminder.kind in EMAIL_KINDS:
        return _compose_email(reminder, on=on, digests=digests)
    return _compose_sms(reminder, on=on)


# -- e-mails to staff ------------------------------------------------------------------------


@dataclass
class Digest:
    """A centre's follow-ups to call, for its members' e-mails."""

    due: list
    due_count: int
    overdue: list
    overdue_count: int
    escalated: list
    escalated_count: int


def escalate_before(on: date) -> date:
    """Follow-ups due before this day have been overdue long enough to tell the manager."""
    return overdue_before(on) - timedelta(days=settings.HAMI_FOLLOW_UP_ESCALATE_DAYS_OVERDUE)


def centre_digest(centre_id: int, *, on: date) -> Digest:
    """The centre's due and overdue follow-ups on `on` (the sweep has just set their
    statuses): how many, and the first `DIGEST_ROWS` of each, oldest first. Three queries,
    served by the (centre, status, due_on) index."""
    mine = FollowUp.objects.filter(centre_id=centre_id)
    counts = mine.aggregate(
        due=Count("pk", filter=Q(status=FollowUpStatus.DUE)),
        overdue=Count("pk", filter=Q(status=FollowUpStatus.MISSED)),
        escalated=Count(
            "pk", filter=Q(status=FollowUpStatus.MISSED, due_on__lt=escalate_before(on))
        ),
    )
    rows = mine.select_related("placement__enrolment__client", "assigned_to").order_by(
        "due_on", "pk"
    )
    overdue = list(rows.filter(status=FollowUpStatus.MISSED)[:DIGEST_ROWS])
    return Digest(
        due=list(rows.filter(status=FollowUpStatus.DUE)[:DIGEST_ROWS]),
        due_count=counts["due"],
        overdue=overdue,
        overdue_count=counts["overdue"],
        # The longest overdue come first: those escalated are the head of the list.
        escalated=[f for f in overdue if f.due_on < escalate_before(on)],
        escalated_count=counts["escalated"],
    )


def _rendered_rows(digests: dict, centre_id: int, *, on: date, language: str, names) -> dict:
    """The centre's lists (`names` of "due", "overdue", "escalated") as text and HTML:
    each rendered once per centre and language for all the e-mails of a run (they are the
    same for every member), and only when an e-mail shows it."""
    if centre_id not in digests:
        digests[centre_id] = centre_digest(centre_id, on=on)
    digest = digests[centre_id]
    rows = {"digest": digest}
    for name in names:
        key = (centre_id, language, name)
        if key not in digests:
            context = {"rows": getattr(digest, name), "count": getattr(digest, f"{name}_count")}
            with translation.override(language):
                digests[key] = {
                    "text": render_to_string("placements/email/_rows.txt", context),
                    "html": render_to_string("placements/email/_rows.html", context),
                }
        rows[name] = digests[key]
    return rows


def site_url(path: str) -> str:
    return settings.HAMI_SITE_URL.rstrip("/") + path


def _compose_email(reminder: Reminder, *, on: date, digests: dict) -> EmailMultiAlternatives:
    user = reminder.user
    if not user.is_active or not user.email:
        raise NotNeeded(_("The staff member has no e-mail address or left."))
    membership = getattr(user, "membership", None)
    if membership is None or membership.centre_id != reminder.centre_id:
        raise NotNeeded(_("The staff member no longer works at this centre."))
    escalation = reminder.kind == ReminderKind.FOLLOW_UP_ESCALATION
    rows = _rendered_rows(
        digests,
        reminder.centre_id,
        on=on,
        language=membership.language,
        names=("escalated",) if escalation else ("due", "overdue"),
    )
    digest = rows["digest"]
    if escalation and not digest.escalated_count:
        raise NotNeeded(_("No follow-up is overdue long enough any more."))
    if not escalation and not (digest.due_count or digest.overdue_count):
        raise NotNeeded(_("Every follow-up has been recorded meanwhile."))
    with translation.override(membership.language):
        context = {
            "user": user,
            "centre": reminder.centre,
            "on": on,
            "digest": digest,
            "rows": rows,
            "escalate_days": settings.HAMI_FOLLOW_UP_ESCALATE_DAYS_OVERDUE,
            "worklist_url": site_url(reverse("follow_ups:worklist")),
        }
        name = "follow_up_escalation" if escalation else "follow_up_digest"
        subject = (
            _("Hami: %(count)s follow-ups overdue for more than %(days)s days")
            % {
                "count": localise_digits(str(digest.escalated_count)),
                "days": localise_digits(str(settings.HAMI_FOLLOW_UP_ESCALATE_DAYS_OVERDUE)),
            }
            if escalation
            else _("Hami: follow-ups to call, %(date)s") % {"date": display_date(on)}
        )
        text = render_to_string(f"placements/email/{name}.txt", context)
        html = render_to_string(f"placements/email/{name}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


# -- text messages to clients ------------------------------------------------------------------


def _compose_sms(reminder: Reminder, *, on: date) -> SmsMessage:
    client = reminder.client
    if client.sms_opt_out:
        raise NotNeeded(_("The client asked not to receive text messages."))
    if not client.mobile:
        raise NotNeeded(_("The client has no mobile number."))
    if (on - reminder.day).days > SMS_STALE_AFTER_DAYS:
        raise NotNeeded(_("Too late to be useful."))
    with translation.override(CLIENT_LANGUAGE):
        body = _sms_body(reminder, on=on)
    return SmsMessage(body, settings.DEFAULT_FROM_SMS, [client.mobile])


def _sms_body(reminder: Reminder, *, on: date) -> str:
    client, centre = reminder.client, reminder.centre
    words = {"name": client.first_name, "centre": centre.name}
    if reminder.kind == ReminderKind.SEAT_OFFER_SMS:
        enrolment = reminder.enrolment
        if enrolment is None or enrolment.state != State.WAITING or not enrolment.seat_offered_at:
            raise NotNeeded(_("The seat is no longer on offer."))
        return _(
            "%(name)s, a seat in the course “%(course)s” at %(centre)s is kept for you. "
            "Please call the centre to confirm it."
        ) % {**words, "course": enrolment.course.title}
    if reminder.kind == ReminderKind.PLACEMENT_SMS:
        placement = reminder.placement
        if placement is None or not placement.is_current:
            raise NotNeeded(_("The placement has ended."))
        return _(
            "%(name)s, congratulations on your new work from %(date)s. %(centre)s will "
            "keep in touch with you for a year."
        ) % {**words, "date": display_date(placement.starts_on)}
    if reminder.kind == ReminderKind.FOLLOW_UP_SMS:
        follow_up = reminder.follow_up
        if follow_up is None or not follow_up.is_open or follow_up.due_on < on:
            raise NotNeeded(_("The follow-up is no longer coming."))
        return _(
            "%(name)s, %(centre)s will call you on %(date)s to ask how your work is going."
        ) % {**words, "date": display_date(follow_up.due_on)}
    raise NotNeeded(_("Unknown kind of text message."))


def members_to_remind(centre_ids) -> list[Membership]:
    """The active members, with an e-mail address, of these centres."""
    return list(
        Membership.objects.filter(centre_id__in=centre_ids, user__is_active=True)
        .exclude(Q(user__email="") | Q(user__email__isnull=True))
        .select_related("user")
    )
