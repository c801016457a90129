"""`manage.py seed_demo [--scale small|article|national]`: realistic demo data, idempotent.

The seeding is a list of parts, each a function taking the shared `Seed` state. First come
this app's own parts (`PARTS`: the centres and the demo logins); then, in `INSTALLED_APPS`
order, every installed app's `demo` module (`clients/demo.py`, `placements/demo.py`, …)
that exists, through its one function:

    def seed(seed: Seed) -> None: ...

That is the whole convention. It keeps the dependencies pointing one way: `centres` never
imports the apps that build on it; each app seeds its own data from what the earlier parts
left in `seed` (`seed.centres` by code, `seed.users` by username) and reads `seed.scale` to
decide how much to make. Every part finds its rows by a natural key (centre code, username,
welfare file number) and writes only what is missing or differs, so a second run creates
and changes nothing; it tallies what it did with `seed.count(kind, outcome)` for the
summary. All parts run in one transaction, in the all-centres scope (`centres.scoping`).
"""

import importlib
import importlib.util
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from centres import demo_data
from centres.models import Centre, Membership, Province
from centres.roles import NATIONAL_OFFICE_GROUP
from centres.scoping import all_centres_scope
from centres.services import set_membership
from hami.text import normalise_text

SCALES = ("small", "article", "national")


@dataclass
class Seed:
    """What the parts share: the scale asked for, what they made, and the tallies."""

    scale: str
    centres: dict[str, Centre] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    tally: dict[str, Counter] = field(default_factory=dict)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        """Tally `n` rows of `kind` ("clients") as "created", "updated" or "unchanged"."""
        if n:
            self.tally.setdefault(kind, Counter())[outcome] += n


def upsert(model, lookup: dict, values: dict):
    """Get the row by `lookup` or create it with `values`; save an existing row only when
    one of `values` differs. Returns (obj, "created" | "updated" | "unchanged")."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save(update_fields=changed)
    return obj, "updated"


# --- parts -------------------------------------------------------------------------------


def seed_centres(seed: Seed) -> None:
    provinces = {p.code: p for p in Province.objects.all()}
    wanted = {c.province_code for c in demo_data.CENTRES}
    if not wanted <= provinces.keys():
        raise CommandError("The provinces are missing: run `manage.py migrate` first.")
    for row in demo_data.CENTRES:
        centre, outcome = upsert(
            Centre,
            {"code": row.code},
            {
                # Centre.save() normalises these; compare like with like.
                "name": normalise_text(row.name),
                "province": provinces[row.province_code],
                "city": normalise_text(row.city),
                "operator": row.operator,
                "training_capacity": row.training_capacity,
                "address": row.address,
                "phone": row.phone,
                "opened_on": row.opened_on,
                "is_active": True,
            },
        )
        seed.centres[row.code] = centre
        seed.count("centres", outcome)


def seed_users(seed: Seed) -> None:
    User = get_user_model()
    try:
        national_office = Group.objects.get(name=NATIONAL_OFFICE_GROUP)
    except Group.DoesNotExist:
        raise CommandError(
            f"The group {NATIONAL_OFFICE_GROUP!r} is missing: run `manage.py migrate` first."
        ) from None
    for row in demo_data.USERS:
        values = {
            "first_name": row.first_name,
            "last_name": row.last_name,
            "email": f"{row.username}@hami.example",
            "is_active": True,
            "is_staff": row.superuser,
            "is_superuser": row.superuser,
        }
        user = User.objects.filter(username=row.username).first()
        if user is None:
            # The password is set only here, so a changed password survives a re-run.
            user = User(username=row.username, **values)
            user.set_password(demo_data.DEMO_PASSWORD)
            user.save()
            outcome = "created"
        else:
            user, outcome = upsert(User, {"username": row.username}, values)
        seed.users[row.username] = user
        seed.count("users", outcome)

        if row.centre_code is not None:
            centre = seed.centres.get(row.centre_code) or Centre.objects.get(code=row.centre_code)
            current = Membership.objects.filter(user=user).first()
            if current is None or current.centre_id != centre.pk or current.role != row.role:
                set_membership(user=user, centre=centre, role=row.role)
                seed.count("memberships", "created" if current is None else "updated")
            else:
                seed.count("memberships", "unchanged")
        if row.national_office and not user.groups.filter(pk=national_office.pk).exists():
            user.groups.add(national_office)


# This app's parts, in dependency order. Other apps do not add parts here: they have a
# `demo` module with a `seed(seed)` function (see the module docstring).
PARTS = [seed_centres, seed_users]


def app_demo_parts(module: str = "demo") -> list:
    """The `seed` function of each installed app's `demo` module (or `module`), in
    `INSTALLED_APPS` order; apps without one are passed over."""
    parts = []
    for app in apps.get_app_configs():
        name = f"{app.name}.{module}"
        if not hasattr(app.module, "__path__") or importlib.util.find_spec(name) is None:
            continue  # a plain module (not a package) cannot hold a `demo` module
        part = getattr(importlib.import_module(name), "seed", None)
        if not callable(part):
            raise CommandError(f"{name} has no `seed(seed)` function for seed_demo to call.")
        parts.append(part)
    return parts


class Command(BaseCommand):
    help = (
        "Load realistic demo data (16 centres, demo logins). Safe to run again: rows are "
        "found by their code or username and nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="small",
            help="small (the default, what `make run` loads), article (the programme as "
            "published: 16 centres, 3,200 entrants) or national (the whole network).",
        )

    def handle(self, *args, scale, **options):
        seed = Seed(scale=scale)
        # `article` is the programme as published, made by `dashboard/demo_article.py`.
        module = "demo_article" if scale == "article" else "demo"
        parts = [*PARTS, *app_demo_parts(module)]
        if scale == "national":  # the whole network, written in bulk: benchmarks/national.py
            parts = [*PARTS, importlib.import_module("benchmarks.national").seed]
        with all_centres_scope(), transaction.atomic():
            for part in parts:
                part(seed)
        self.report(seed)

    def report(self, seed: Seed) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo data ({seed.scale} scale) is in place."))
        for kind, tally in seed.tally.items():
            total = sum(tally.values())
            detail = ", ".join(
                f"{tally[outcome]} {outcome}"
                for outcome in ("created", "updated", "unchanged")
                if tally[outcome]
            )
            self.stdout.write(f"  {kind}: {total} ({detail})")
        if settings.DEBUG:
            self.stdout.write("")
            self.stdout.write("Demo logins (password set when the user was first created):")
            width = max(len(row.username) for row in demo_data.USERS)
            for row in demo_data.USERS:
                self.stdout.write(
                    f"  {row.username:<{width}}  {demo_data.DEMO_PASSWORD}  {row.label}"
                )
        else:
            self.stdout.write("Demo passwords are not printed when DEBUG is off.")
