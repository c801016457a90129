"""What placements hears of the client path: when a training seat is offered, the client
gets a text message (clients knows nothing of reminders; the layers point this way)."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from clients.models import EnrolmentTransition
from clients.workflow import Action

from .models import ReminderKind
from .reminders import queue_client_sms


@receiver(post_save, sender=EnrolmentTransition, dispatch_uid="placements.seat_offer_sms")
def text_the_seat_offer(sender, instance: EnrolmentTransition, created: bool, raw=False, **kwargs):
    if not created or raw or instance.action != Action.OFFER_SEAT:
        return
    enrolment = instance.enrolment
    queue_client_sms(
        kind=ReminderKind.SEAT_OFFER_SMS,
        client=enrolment.client,
        centre_id=enrolment.centre_id,
        day=timezone.localdate(instance.at),
        enrolment=enrolment,
    )
