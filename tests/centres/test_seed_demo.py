import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_scopes import scopes_disabled

from centres.demo_data import DEMO_PASSWORD
from centres.management.commands import seed_demo
from centres.models import Centre, Course, Membership, Operator
from centres.roles import NATIONAL_OFFICE_GROUP, Role, principal_for
from clients import demo as clients_demo
from clients.models import Client, Enrolment, EnrolmentTransition

ARABIC_LETTERS = {"\u064a", "\u0643", "\u0649"}  # Arabic yeh, kaf, alef maksura

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_apps():
    """Run the other apps' `demo` modules too (the tests here skip them unless asked: the
    demo clients take seconds, and tests/clients/test_demo.py covers them)."""


@pytest.fixture(autouse=True)
def _centres_only(request, monkeypatch):
    if "all_apps" not in request.fixturenames:
        monkeypatch.setattr(seed_demo, "app_demo_parts", lambda *args, **kwargs: [])


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    User = get_user_model()
    return {
        "centres": Centre.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "user_groups": User.groups.through.objects.count(),
        "groups": Group.objects.count(),
        "courses": Course.objects.count(),
        "clients": Client.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "transitions": EnrolmentTransition.objects.count(),
    }


def fresh_user(username):
    return get_user_model().objects.get(username=username)


def test_seeds_16_centres_in_different_provinces():
    seed()
    centres = list(Centre.objects.all())
    assert len(centres) == 16
    assert len({c.province_id for c in centres}) == 16
    assert Centre.objects.filter(code="THR-01", province__code="23").exists()
    assert {c.operator for c in centres} == set(Operator.values)
    capacities = [c.training_capacity for c in centres]
    assert all(1 <= n <= 60 for n in capacities)
    assert capacities.count(60) > len(capacities) // 2
    assert min(capacities) < 60
    opened = sorted(c.opened_on.year for c in centres)
    assert opened[0] >= 2015 and opened[-1] <= 2024
    for centre in centres:
        assert centre.name.startswith("مرکز حمایت شغلی"), centre.name
        assert centre.address and centre.phone and centre.city
        for text in (centre.name, centre.city, centre.address):
            assert not ARABIC_LETTERS & set(text), text


def test_running_twice_changes_nothing(all_apps):
    with scopes_disabled():
        first = seed()
        before = counts()
        out = seed()
        assert counts() == before
        assert "created" not in out and "updated" not in out
        assert "centres: 16 (16 unchanged)" in out
        for kind in ("courses", "clients", "enrolments"):
            assert f"  {kind}: {before[kind]} ({before[kind]} created)" in first
            assert f"  {kind}: {before[kind]} ({before[kind]} unchanged)" in out


def test_national_scale_asks_for_postgresql_and_changes_nothing_on_sqlite(all_apps, monkeypatch):
    from django.db import connections

    with scopes_disabled():
        seed("--scale", "small")
        before = counts()
        # On SQLite as it is; on PostgreSQL the national part is told it runs on SQLite
        # (it would write ten million rows otherwise).
        monkeypatch.setattr(connections["default"], "vendor", "sqlite")
        with pytest.raises(CommandError, match="PostgreSQL"):
            seed("--scale", "national")
        assert counts() == before


def test_other_apps_seed_through_their_demo_module(all_apps):
    """The convention: each installed app's `demo.seed(seed)`, in INSTALLED_APPS order."""
    parts = seed_demo.app_demo_parts()
    assert clients_demo.seed in parts
    assert all(part.__name__ == "seed" and part.__module__.endswith(".demo") for part in parts)


def test_unknown_scale_is_refused():
    with pytest.raises(CommandError):
        seed("--scale", "huge")


@pytest.mark.parametrize(
    ("username", "roles", "centre_code"),
    [
        ("staff.thr01", {Role.STAFF}, "THR-01"),
        ("manager.thr01", {Role.STAFF, Role.MANAGER}, "THR-01"),
        ("staff.isf01", {Role.STAFF}, "ISF-01"),
        ("manager.isf01", {Role.STAFF, Role.MANAGER}, "ISF-01"),
        ("staff.mhd01", {Role.STAFF}, "MHD-01"),
        ("manager.mhd01", {Role.STAFF, Role.MANAGER}, "MHD-01"),
        ("national", {Role.NATIONAL}, None),
    ],
)
def test_demo_users_have_their_roles(username, roles, centre_code):
    seed()
    user = fresh_user(username)
    principal = principal_for(user)
    assert principal.roles == roles
    assert (principal.centre.code if principal.centre else None) == centre_code
    assert user.check_password(DEMO_PASSWORD)
    assert user.language == ""
    assert user.first_name and user.last_name
    assert not ARABIC_LETTERS & set(user.first_name + user.last_name)
    assert not user.is_superuser


def test_national_user_is_in_the_national_office_group():
    seed()
    assert fresh_user("national").groups.filter(name=NATIONAL_OFFICE_GROUP).exists()


def test_admin_is_a_superuser():
    seed()
    admin = fresh_user("admin")
    assert admin.is_superuser and admin.is_staff
    assert Role.NATIONAL in principal_for(admin).roles
    assert not Membership.objects.filter(user=admin).exists()


def test_a_changed_password_survives_a_second_run():
    seed()
    user = fresh_user("staff.thr01")
    user.set_password("something-else-entirely")
    user.save()
    seed()
    user = fresh_user("staff.thr01")
    assert user.check_password("something-else-entirely")
    assert not user.check_password(DEMO_PASSWORD)


def test_passwords_are_printed_in_debug():
    with override_settings(DEBUG=True):
        out = seed()
    assert DEMO_PASSWORD in out
    for username in ("staff.thr01", "manager.thr01", "national", "admin"):
        assert username in out


def test_passwords_are_not_printed_outside_debug():
    with override_settings(DEBUG=False):
        out = seed()
    assert DEMO_PASSWORD not in out
    assert "not printed" in out


def test_centres_never_imports_the_apps_that_build_on_it():
    """Dependencies point one way (clients → centres): the seed finds their demo modules."""
    import centres

    pattern = re.compile(r"^\s*(from|import)\s+(clients|placements|loans|dashboard)\b", re.M)
    root = Path(centres.__file__).parent
    offenders = [str(path) for path in root.rglob("*.py") if pattern.search(path.read_text())]
    assert offenders == []
