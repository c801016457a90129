"""Background work of the placements app (Celery): the daily follow-up sweep and the
sending of one reminder. Both are `acks_late` (a worker that dies mid-task leaves it on
the queue for another) and retried with backoff when a database, the mail server or the
SMS provider fails for a moment; the database is the source of truth, so a retry, or the
next day's sweep, finishes what a failed run left."""

import logging
import smtplib
from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from centres.scoping import all_centres_scope

from .reminders import ReminderNotSent, deliver, deliver_pending, supersede_old_digests
from .sweep import pending_batches
from .sweep import sweep_follow_ups as sweep

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, smtplib.SMTPException, OSError, ReminderNotSent)
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY)
def sweep_follow_ups(on: str | None = None) -> dict:
    """The daily sweep over the whole network, as of `on` (ISO date; today by default):
    statuses and the day's reminders here, then the reminders handed to the worker pool
    in batches (`send_reminders`). Safe to run twice, or at the same moment as another
    run: a batch sends only what is still pending, under each row's lock."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    with all_centres_scope():  # a network-wide sweep, on purpose
        run = sweep(on=day, at=timezone.now(), deliver=False)
        supersede_old_digests(on=day)
        batches = pending_batches(on=day)
    for ids in batches:
        send_reminders.delay(ids, day.isoformat())
    result = {**run.as_dict(), "batches": len(batches)}
    logger.info("Follow-up sweep: %s", result)
    return result


@shared_task(**RETRY)
def send_reminders(ids: list[int], on: str) -> dict:
    """Send a batch of pending reminders; a failed one makes the batch retry (with
    backoff), and the retry sends only what is still pending."""
    day = date.fromisoformat(on)
    with all_centres_scope():  # the reminders name their centres; the task has no request
        delivery = deliver_pending(on=day, at=timezone.now(), ids=ids)
    if delivery.failed:
        raise ReminderNotSent(f"{delivery.failed} reminders not sent; retrying")
    return vars(delivery)


@shared_task(**RETRY)
def send_reminder(reminder_id: int) -> str:
    """Send one reminder now (a text message written when a seat was offered or a client
    placed). Sent at most once: another run holding or having sent it makes this a no-op."""
    with all_centres_scope():  # the reminder names its centre; the task has no request
        outcome = deliver(reminder_id, on=timezone.localdate(), at=timezone.now())
    if outcome == "failed":
        raise ReminderNotSent(f"reminder {reminder_id} not sent; retrying")
    return outcome
