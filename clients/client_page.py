"""What the apps built on clients add to a client's page, without this app importing them.

The client page is where staff see a person's whole journey, and later parts of it belong
to later apps: placements and follow-ups, loans. The dependencies point one way
(`placements → clients`), so this app cannot ask them by name. Instead, as `seed_demo`
finds each app's `demo` module, the page finds each installed app's `client_page` module
and calls what it defines, in `INSTALLED_APPS` order:

    def timeline(client) -> Iterable[TimelineEntry]
        # entries for the journey timeline, each with the template that shows it

    def panels(request, client, enrolment) -> Iterable[Panel]
        # cards for the page's side column (the current job, matching openings…)

That is the whole convention: an app that defines neither is passed over, and an app
removed from `INSTALLED_APPS` simply adds nothing. Each function runs in the request's
scope and should take a fixed, small number of queries.
"""

import importlib
import importlib.util
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from types import ModuleType

from django.apps import apps

MODULE = "client_page"


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the journey timeline. `kind` names it for this app's own template
    ("transition", "assessment"); an entry of another app names the `template` that shows
    it (the template gets the entry as `entry`)."""

    at: datetime | date
    kind: str
    item: object
    template: str = ""


@dataclass(frozen=True)
class Panel:
    """A card on the client page: the `template` is included with the panel as `panel`,
    so it reads its data from `panel.context`."""

    template: str
    context: dict = field(default_factory=dict)


@cache
def app_modules(module: str, *, besides: str) -> tuple[ModuleType, ...]:
    """Each installed app's `module` module but the app `besides` (the one defining the
    convention), in `INSTALLED_APPS` order. `placements.placement_page` finds its
    contributors the same way."""
    found = []
    for app in apps.get_app_configs():
        name = f"{app.name}.{module}"
        if not hasattr(app.module, "__path__") or app.name == besides:
            continue
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)


def _modules() -> tuple[ModuleType, ...]:
    return app_modules(MODULE, besides=__package__)


def timeline_entries(client) -> list[TimelineEntry]:
    """Every other app's entries for `client`'s timeline."""
    entries = []
    for module in _modules():
        if hasattr(module, "timeline"):
            entries.extend(module.timeline(client))
    return entries


def panels(request, client, enrolment) -> list[Panel]:
    """Every other app's cards for `client`'s page."""
    found = []
    for module in _modules():
        if hasattr(module, "panels"):
            found.extend(module.panels(request, client, enrolment))
    return found
