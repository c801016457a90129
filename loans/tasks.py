"""Background work of the loans app (Celery)."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from centres.scoping import all_centres_scope

from .arrears import update_arrears as update_arrears_as_of

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def update_arrears(on: str | None = None) -> dict:
    """The daily arrears update (days past due, defaults, follow-up tasks) over the whole
    network, as of `on` (ISO date; today by default). Safe to run twice for a day."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    with all_centres_scope():  # a network-wide sweep, on purpose
        run = update_arrears_as_of(on=day)
    logger.info(
        "Arrears as of %s: %s active loans, %s in arrears, %s defaulted, %s follow-ups opened",
        day,
        run.loans,
        run.in_arrears,
        len(run.defaulted),
        run.follow_ups_opened,
    )
    return {
        "on": day.isoformat(),
        "loans": run.loans,
        "in_arrears": run.in_arrears,
        "defaulted": len(run.defaulted),
        "follow_ups_opened": run.follow_ups_opened,
    }
