from django.contrib.auth.models import Group
from django.db import transaction

from .models import Membership
from .roles import CENTRE_MANAGER_GROUP, CENTRE_STAFF_GROUP


def sync_role_groups(user) -> None:
    """A user's centre groups follow their membership, so Django's permissions (admin,
    `has_perm`) agree with the role the site gives them."""
    membership = Membership.objects.filter(user=user).first()
    wanted = set()
    if membership is not None:
        wanted.add(CENTRE_STAFF_GROUP)
        if membership.role == Membership.Role.MANAGER:
            wanted.add(CENTRE_MANAGER_GROUP)
    groups = {
        g.name: g for g in Group.objects.filter(name__in=[CENTRE_STAFF_GROUP, CENTRE_MANAGER_GROUP])
    }
    for name, group in groups.items():
        if name in wanted:
            user.groups.add(group)
        else:
            user.groups.remove(group)


@transaction.atomic
def set_membership(*, user, centre, role) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"centre": centre, "role": role}
    )
    return membership
