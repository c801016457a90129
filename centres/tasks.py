"""Background work of the centres app (Celery)."""

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from .applications import open_due_centres as open_due_centres_on

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def open_due_centres(on: str | None = None) -> int:
    """Open the approved centres whose opening day has come, as of `on` (ISO date; today
    by default). Safe to run twice for a day: each centre opens once."""
    day = date.fromisoformat(on) if on else timezone.localdate()
    opened = open_due_centres_on(on=day)
    logger.info("Centres opened on %s: %s", day, ", ".join(c.code for c in opened) or "none")
    return len(opened)
