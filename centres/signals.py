from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership
from .services import sync_role_groups


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def keep_role_groups_in_step(sender, instance, **kwargs):
    sync_role_groups(instance.user)
