"""Centre scoping: the one function every view's queryset goes through
(`Model.objects.visible_to(user)`), and django-scopes' safety net around it.

Every query on a centre-owned model runs inside a scope, or it raises `ScopeError`:

- a web request runs in the scope of its user (`CentreMiddleware` opens `scope_for`);
- a Celery task or a management command opens its scope on purpose: `centre_scope(centre)`
  for work on one centre's records, `all_centres_scope()` for a sweep or a report over the
  whole network. Nothing else disables the net; tests disable it only to arrange and
  inspect data.
"""

from contextlib import contextmanager

from django.db import models
from django_scopes import ScopedManager, scope
from django_scopes.manager import DisabledQuerySet

from .roles import principal_for


class ScopedQuerySet(models.QuerySet):
    """A queryset of centre-owned rows. `centre_lookup` is the path from the row to its
    centre (`"centre"`, `"client__centre"`…)."""

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


class _OutOfScope(DisabledQuerySet):
    """django-scopes' refusal of a query made outside any scope, extended to the calls it
    lets through: `exists()` and a few others would otherwise read every centre."""

    exists = contains = in_bulk = explain = bulk_update = DisabledQuerySet.error


def centre_scoped_manager(queryset_class: type[ScopedQuerySet]):
    """The default manager of a centre-owned model: `visible_to(user)` for views, and the
    django-scopes net, so a query outside any scope raises."""
    scoped = type(
        ScopedManager(
            centre=queryset_class.centre_lookup,
            _manager_class=models.Manager.from_queryset(queryset_class),
        )
    )

    class CentreScopedManager(scoped):
        def get_queryset(self):
            queryset = super().get_queryset()
            if isinstance(queryset, DisabledQuerySet):
                return _OutOfScope(
                    self.model, using=self._db, missing_scopes=queryset.missing_scopes
                )
            return queryset

    return CentreScopedManager()


def centre_id_of(obj) -> int | None:
    """The pk of the centre that owns `obj`, following its queryset's `centre_lookup`
    (`client__centre` reads `obj.client.centre_id`)."""
    lookup = type(obj)._default_manager._queryset_class.centre_lookup
    if lookup == "pk":
        return obj.pk
    *path, last = lookup.split("__")
    for name in path:
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id")


@contextmanager
def scope_for(user):
    """The scope a request of `user` runs in: every centre for the national office, the
    user's own centre for its staff, no centre at all for anyone else."""
    principal = principal_for(user)
    if principal.sees_all_centres:
        centres = None  # django-scopes: no filter
    elif principal.centre is not None:
        centres = [principal.centre.pk]
    else:
        centres = []
    with scope(centre=centres):
        yield


@contextmanager
def centre_scope(centre):
    """For a task or command that works on one centre's records."""
    with scope(centre=[centre.pk]):
        yield


@contextmanager
def all_centres_scope():
    """For a task or command that works across the whole network on purpose (daily
    sweeps, national reports, seeding demo data)."""
    with scope(centre=None):
        yield
