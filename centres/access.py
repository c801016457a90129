"""Who may do what, and see which centre's data: written down once, used by every view.

Every view declares its rule with `@access(...)`. The rule names the roles that may use
the view (a missing role answers 403) and, for views about one object, the model whose
`visible_to(user)` queryset the object is fetched through — `of_own_centre(user)` for
views the national office may not use, which are centre work (an object of another centre
answers 404). Anonymous users are sent to log in; a logged-in user with no role at all
sees a page saying so. A test walks every URL pattern and fails on a view without a rule.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, resolve, reverse

from .roles import MANAGER, NATIONAL, STAFF, Principal, Role, principal_for
from .scoping import centre_id_of

__all__ = ["MANAGER", "NATIONAL", "STAFF", "access", "any_user", "may", "public"]


@dataclass(frozen=True)
class AccessRule:
    roles: frozenset[Role] | None  # None: any logged-in user (or anyone, when public)
    model: type[models.Model] | None = None
    public: bool = False

    def lets_in(self, principal: Principal) -> bool:
        """Whether the user's roles open the view (before any object is looked up)."""
        return self.roles is None or bool(principal.roles & self.roles)

    def reaches_all_centres(self, principal: Principal) -> bool:
        """Whether the user may use the view on every centre's objects: only reading
        views open to the national office do; everything else is centre work, confined
        to the user's own centre."""
        return NATIONAL in (self.roles or ()) and principal.sees_all_centres

    def allows(self, principal: Principal, obj=None) -> bool:
        """The decorator's answer, worked out without a query: may this user use the view
        (on `obj`, an object of some centre, when given)?"""
        if self.public:
            return True
        if not self.lets_in(principal):
            return False
        if obj is None or self.reaches_all_centres(principal):
            return True
        return principal.centre is not None and centre_id_of(obj) == principal.centre.pk


def may(user, url_name: str, obj=None) -> bool:
    """Whether `user` may use the view named `url_name` on `obj`: the one answer to "may
    this user act on this centre's object?", read from the view's own `@access` rule, so
    a button is shown exactly when its view would let the user in. For an object view
    (`clients:edit`) `obj` is the object itself; for a view that works on the user's own
    centre (`centres:course_create`) it is any object of the centre in question."""
    rule = _rule_of(url_name, obj)
    return rule.allows(principal_for(user), obj)


def _rule_of(url_name: str, obj) -> "AccessRule":
    try:
        path = reverse(url_name)
    except NoReverseMatch:  # an object view: its URL takes the object's pk
        path = reverse(url_name, kwargs={"pk": obj.pk})
    return resolve(path).func.access_rule


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
            if not rule.lets_in(principal):
                raise PermissionDenied
            if model is not None:
                rows = model._default_manager
                rows = (
                    rows.all()
                    if rule.reaches_all_centres(principal)
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
