"""Who a user is in Hami: their roles and their centre, worked out once per request.

This module imports no model: it reads the user's membership through the reverse
relation, so `centres.models` (whose querysets need `principal_for`) can depend on it
without a cycle.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

NATIONAL_OFFICE_GROUP = "National office"
CENTRE_STAFF_GROUP = "Centre staff"
CENTRE_MANAGER_GROUP = "Centre manager"


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    NATIONAL = "national"


STAFF, MANAGER, NATIONAL = Role.STAFF, Role.MANAGER, Role.NATIONAL


class MembershipRole(models.TextChoices):
    """A member's role at their centre (`Membership.role`)."""

    STAFF = "staff", _("Centre staff")
    MANAGER = "manager", _("Centre manager")


@dataclass(frozen=True)
class Principal:
    """What one user may do and see."""

    roles: frozenset[Role]
    centre: models.Model | None = None  # the user's centre, for centre roles
    sees_all_centres: bool = False

    @property
    def has_any_role(self) -> bool:
        return bool(self.roles)

    @property
    def label(self) -> str:
        """The user's role in words, for the navbar."""
        if MANAGER in self.roles:
            return gettext("Centre manager")
        if STAFF in self.roles:
            return gettext("Centre staff")
        if NATIONAL in self.roles:
            return gettext("National office")
        return ""


NOBODY = Principal(roles=frozenset())


def _membership(user):
    """The user's membership with its centre, in one query, found through the reverse
    one-to-one of `Membership.user` (so this module needs no model import)."""
    memberships = user._meta.get_field("membership").related_model._default_manager
    return memberships.select_related("centre").filter(user=user).first()


def principal_for(user) -> Principal:
    """The user's roles and centre; cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return NOBODY
    cached = getattr(user, "_hami_principal", None)
    if cached is not None:
        return cached
    roles: set[Role] = set()
    centre = None
    membership = _membership(user) if user.is_active else None
    if membership is not None and membership.centre.is_active:
        centre = membership.centre
        roles.add(STAFF)
        if membership.role == MembershipRole.MANAGER:
            roles.add(MANAGER)
    national = user.is_active and (
        user.is_superuser or user.groups.filter(name=NATIONAL_OFFICE_GROUP).exists()
    )
    if national:
        roles.add(NATIONAL)
    principal = Principal(roles=frozenset(roles), centre=centre, sees_all_centres=national)
    user._hami_principal = principal
    return principal
