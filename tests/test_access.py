"""The access matrix: every URL pattern in the URLconf, every kind of user.

Nothing here is a hand list of URLs: new pages join by existing. A view without an
`@access` rule fails `test_every_view_declares_an_access_rule`; a view about an object
of a model without an entry in `factories.OBJECT_IN_CENTRE` fails with a note to add one.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from centres.roles import MANAGER, NATIONAL, NATIONAL_OFFICE_GROUP, STAFF

from .factories import OBJECT_IN_CENTRE

ADMIN_NAMESPACE = "admin"


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner == ADMIN_NAMESPACE:
                continue  # Django admin: its own staff check, tested below
            yield from _walk(
                entry.url_patterns, ":".join(filter(None, [namespace, entry.namespace])) or None
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry


PATTERNS = dict(_walk(get_resolver().url_patterns))


def test_every_url_pattern_has_a_name():
    assert None not in PATTERNS, "give every URL pattern a name so the access matrix can reverse it"


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_view_declares_an_access_rule(name):
    callback = PATTERNS[name].callback
    assert hasattr(callback, "access_rule"), (
        f"{name}: decorate the view with centres.access.access(...), any_user or public"
    )


def _url_for(name, centre):
    pattern = PATTERNS[name]
    rule = pattern.callback.access_rule
    converters = set(pattern.pattern.converters)
    if not converters:
        return reverse(name)
    assert converters == {"pk"} and rule.model is not None, (
        f"{name}: object URLs take `pk` and declare `@access(..., model=...)`"
    )
    make = OBJECT_IN_CENTRE.get(rule.model)
    assert make is not None, f"add {rule.model.__name__} to tests/factories.OBJECT_IN_CENTRE"
    return reverse(name, kwargs={"pk": make(centre).pk})


PRIVATE = sorted(n for n, p in PATTERNS.items() if not p.callback.access_rule.public)
ROLE_BOUND = sorted(n for n in PRIVATE if PATTERNS[n].callback.access_rule.roles is not None)
OBJECT_VIEWS = sorted(n for n in ROLE_BOUND if PATTERNS[n].callback.access_rule.model is not None)


def _allowed(response):
    """The view let the user in: a page, a redirect somewhere other than the login page,
    or 'use POST' for an action."""
    if response.status_code == 302:
        return not response.url.startswith(reverse(settings.LOGIN_URL))
    return response.status_code in {200, 405}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PRIVATE)
def test_anonymous_user_is_sent_to_log_in(client, centre, name):
    url = _url_for(name, centre)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", sorted(n for n, p in PATTERNS.items() if p.callback.access_rule.public)
)
def test_public_pages_open_without_logging_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code in {200, 405}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROLE_BOUND)
def test_user_without_centre_or_role_sees_only_the_no_access_page(
    login, no_role_user, centre, name
):
    response = login(no_role_user).get(_url_for(name, centre))
    assert response.status_code == 403
    assert "no_access.html" in [t.name for t in response.templates]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [STAFF, MANAGER, NATIONAL])
@pytest.mark.parametrize("name", ROLE_BOUND)
def test_each_role_is_let_in_or_refused_with_403(
    login, staff, manager, national, centre, name, role
):
    user = {STAFF: staff, MANAGER: manager, NATIONAL: national}[role]
    rule = PATTERNS[name].callback.access_rule
    response = login(user).get(_url_for(name, centre))
    if role in rule.roles:
        assert _allowed(response), f"{name} refused {role}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{name} let {role} in: {response.status_code}"


def _rule(name):
    return PATTERNS[name].callback.access_rule


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"),
    [(n, r) for n in OBJECT_VIEWS for r in (STAFF, MANAGER) if r in _rule(n).roles],
)
def test_centre_users_get_404_on_another_centres_objects(
    login, staff, manager, other_centre, name, role
):
    user = staff if role == STAFF else manager
    response = login(user).get(_url_for(name, other_centre))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in OBJECT_VIEWS if NATIONAL in _rule(n).roles])
def test_national_office_reads_every_centres_objects(login, national, other_centre, name):
    response = login(national).get(_url_for(name, other_centre))
    assert _allowed(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in OBJECT_VIEWS if NATIONAL not in _rule(n).roles])
def test_centre_work_stays_in_the_users_own_centre_even_for_national_office_members(
    login, manager, other_centre, name
):
    """Someone who manages a centre and is also in the national office reads every
    centre, but changes only their own centre's records."""
    manager.groups.add(Group.objects.get(name=NATIONAL_OFFICE_GROUP))
    response = login(manager).get(_url_for(name, other_centre))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff", "manager", "national"])
def test_django_admin_is_for_superusers_only(login, staff, manager, national, username):
    user = {"staff": staff, "manager": manager, "national": national}[username]
    response = login(user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
