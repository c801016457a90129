"""Who may do what, and see which centre's data: written down once, used by every view.

Every view declares its rule with `@access(...)`. The rule names the roles that may use
the view (a missing role answers 403) and, for views about one object, the model whose
`visible_to(user)` queryset the object is fetched through — `of_own_centre(user)` for
views the national office may not use, which are centre work (an object of another centre
answers 404). Anonymous users are sent to log in; a logged-in user with no role at all
sees a page saying so. A test walks every URL pattern and fails on a view without a rule.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext

NATIONAL_OFFICE_GROUP = "National office"
CENTRE_STAFF_GROUP = "Centre staff"
CENTRE_MANAGER_GROUP = "Centre manager"


class Role(StrEnum):
    STAFF = "staff"
    MANAGER = "manager"
    NATIONAL = "national"


STAFF, MANAGER, NATIONAL = Role.STAFF, Role.MANAGER, Role.NATIONAL


@dataclass(frozen=True)
class Principal:
    """What one user may do and see, worked out once per request."""

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


def principal_for(user) -> Principal:
    if user is None or not user.is_authenticated:
        return NOBODY
    cached = getattr(user, "_hami_principal", None)
    if cached is not None:
        return cached
    roles: set[Role] = set()
    centre = None
    membership = None
    if user.is_active:
        from .models import Membership

        membership = Membership.objects.select_related("centre").filter(user=user).first()
    if membership is not None and membership.centre.is_active:
        centre = membership.centre
        roles.add(STAFF)
        if membership.role == membership.Role.MANAGER:
            roles.add(MANAGER)
    national = user.is_active and (
        user.is_superuser or user.groups.filter(name=NATIONAL_OFFICE_GROUP).exists()
    )
    if national:
        roles.add(NATIONAL)
    principal = Principal(roles=frozenset(roles), centre=centre, sees_all_centres=national)
    user._hami_principal = principal
    return principal


class ScopedQuerySet(models.QuerySet):
    """A queryset of centre-owned rows with the one scoping function every view uses."""

    centre_lookup = "centre"

    def visible_to(self, user):
        principal = principal_for(user)
        if principal.sees_all_centres:
            return self
        if principal.centre is None:
            return self.none()
        return self.filter(**{self.centre_lookup: principal.centre.pk})

    def of_own_centre(self, user):
        """Rows of the user's own centre only: what centre work (writes) may touch, even
        for someone who also reads every centre as national office."""
        principal = principal_for(user)
        if principal.centre is None:
            return self.none()
        return self.filter(**{self.centre_lookup: principal.centre.pk})


@dataclass(frozen=True)
class AccessRule:
    roles: frozenset[Role] | None  # None: any logged-in user; PUBLIC: no login
    model: type[models.Model] | None = None
    public: bool = False


def access(*roles: Role, model: type[models.Model] | None = None):
    """Declare who may use a view. With `model`, the URL's `pk` is fetched through
    `model.objects.visible_to(user)` (`of_own_centre` for views without NATIONAL) and
    handed to the view by the model's name
    (`pk=3` becomes `centre=<Centre 3>`)."""
    allowed = set(roles)
    if STAFF in allowed:
        allowed.add(MANAGER)  # a centre manager has every right of the centre's staff
    rule = AccessRule(roles=frozenset(allowed), model=model)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            principal = principal_for(request.user)
            if not principal.has_any_role:
                return render(request, "no_access.html", status=403)
            if not principal.roles & rule.roles:
                raise PermissionDenied
            if model is not None:
                # National office reads every centre; a view it may not use is centre work,
                # confined to the user's own centre.
                rows = model._default_manager
                rows = (
                    rows.visible_to(request.user)
                    if NATIONAL in rule.roles
                    else rows.of_own_centre(request.user)
                )
                kwargs[model._meta.model_name] = get_object_or_404(rows, pk=kwargs.pop("pk"))
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorate


def any_user(view):
    """For pages every logged-in user may use, role or not (password change, logout)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access_rule = AccessRule(roles=None)
    return wrapper


def public(view):
    """For the few pages open without logging in (login, health check, language switch)."""
    view = login_not_required(view)
    view.access_rule = AccessRule(roles=None, public=True)
    return view


def centre_scoped_manager(queryset_class: type[ScopedQuerySet]):
    """The default manager of a centre-owned model: `visible_to(user)` for views, and
    django-scopes' safety net, so a query outside a request's centre scope raises
    (tasks and commands use `django_scopes.scopes_disabled()` on purpose)."""
    from django_scopes import ScopedManager

    return ScopedManager(
        centre=queryset_class.centre_lookup,
        _manager_class=models.Manager.from_queryset(queryset_class),
    )
