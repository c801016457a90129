"""The access matrix: every URL pattern in the URLconf, every kind of user, GET and POST.

The expected answers are written down here by hand, one line per URL name (pretix's
permission tables are the model): who may use each page is a fact of the design, not
something read back from the decorators under test. A URL missing from `EXPECTED` fails
`test_every_url_is_in_the_access_table`, so every new page joins the table. A view about
an object of a model without an entry in `factories.OBJECT_IN_CENTRE` fails with a note
to add one.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from centres.access import may
from centres.roles import MANAGER, NATIONAL, NATIONAL_OFFICE_GROUP, STAFF

from .factories import OBJECT_IN_CENTRE

ADMIN_NAMESPACE = "admin"
PUBLIC = "public: no login"
LOGGED_IN = "any logged-in user, with or without a role"
EVERYONE = frozenset({STAFF, MANAGER, NATIONAL})
CENTRE = frozenset({STAFF, MANAGER})  # centre work: the user's own centre only
MANAGER_ONLY = frozenset({MANAGER})
NATIONAL_ONLY = frozenset({NATIONAL})

# Who may use each page. Centre staff and managers reach only their own centre's objects;
# the national office reads every centre's but does no centre work.
EXPECTED = {
    "home": EVERYONE,
    "healthz": PUBLIC,
    "set_language": PUBLIC,
    "login": PUBLIC,
    "logout": LOGGED_IN,
    "password_change": LOGGED_IN,
    "password_change_done": LOGGED_IN,
    "centres:list": EVERYONE,
    "centres:detail": EVERYONE,
    "centres:courses": EVERYONE,
    "centres:course_create": CENTRE,
    "centres:course_edit": CENTRE,
    "centres:network": NATIONAL_ONLY,
    "centres:apply": PUBLIC,
    "centres:track": PUBLIC,
    "centres:revise": PUBLIC,
    "centres:invitation": PUBLIC,
    "centres:applications": NATIONAL_ONLY,
    "centres:application": NATIONAL_ONLY,
    "centres:application_review": NATIONAL_ONLY,
    "centres:application_approve": NATIONAL_ONLY,
    "centres:application_return": NATIONAL_ONLY,
    "centres:application_invite": NATIONAL_ONLY,
    "centres:application_document": NATIONAL_ONLY,
    "clients:list": EVERYONE,
    "clients:worklist": CENTRE,
    "clients:create": CENTRE,
    "clients:import": CENTRE,
    "clients:import_status": CENTRE,
    "clients:detail": EVERYONE,
    "clients:edit": CENTRE,
    "clients:assess": CENTRE,
    "clients:reopen": CENTRE,
    "clients:seats": EVERYONE,
    "clients:start_training": CENTRE,
    "clients:finish_training": CENTRE,
    "clients:withdraw": CENTRE,
    "clients:not_ready": CENTRE,
    "clients:confirm_seat": MANAGER_ONLY,
    "clients:skip_seat": MANAGER_ONLY,
    "placements:create": CENTRE,
    "placements:detail": EVERYONE,
    "placements:employers": EVERYONE,
    "placements:employer_create": CENTRE,
    "placements:employer_detail": EVERYONE,
    "placements:employer_edit": CENTRE,
    "placements:openings": EVERYONE,
    "placements:opening_create": CENTRE,
    "placements:opening_detail": EVERYONE,
    "placements:opening_edit": CENTRE,
    "placements:opening_close": CENTRE,
    "follow_ups:worklist": CENTRE,
    "follow_ups:record": CENTRE,
    "loans:list": EVERYONE,
    "loans:export": EVERYONE,
    "loans:queue": NATIONAL_ONLY,
    "loans:plan_create": CENTRE,
    "loans:plan": EVERYONE,
    "loans:plan_edit": CENTRE,
    "loans:apply": CENTRE,
    "loans:cost_row": CENTRE,
    "loans:plan_total": CENTRE,
    "loans:detail": EVERYONE,
    "loans:edit": CENTRE,
    "loans:guarantor_add": CENTRE,
    "loans:guarantor_remove": CENTRE,
    "loans:submit": CENTRE,
    "loans:recommend": MANAGER_ONLY,
    "loans:approve": NATIONAL_ONLY,
    "loans:reject": NATIONAL_ONLY,
    "loans:disburse": NATIONAL_ONLY,
    "loans:withdraw": CENTRE,
    "loans:repay": CENTRE,
    "loans:reverse": MANAGER_ONLY,
    "loans:pause": MANAGER_ONLY,
    "loans:link_placement": CENTRE,
    "loans:unlink_placement": CENTRE,
    "loans:agreement": EVERYONE,
    "loans:schedule_export": EVERYONE,
    "loans:arrears": EVERYONE,
    "loans:follow_up_close": CENTRE,
    "loans:credit_lines": NATIONAL_ONLY,
    "loans:credit_line": NATIONAL_ONLY,
    # Centre users see their own centre's figures on the dashboards.
    "dashboard:national": EVERYONE,
    "dashboard:cohorts": EVERYONE,
    "dashboard:centre_home": CENTRE,
}


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
ROLE_BOUND = sorted(n for n, who in EXPECTED.items() if isinstance(who, frozenset))
OBJECT_VIEWS = sorted(n for n in ROLE_BOUND if set(PATTERNS[n].pattern.converters) == {"pk"})
METHODS = ["get", "post"]


def test_every_url_pattern_has_a_name():
    assert None not in PATTERNS, "give every URL pattern a name so the access matrix can reverse it"


def test_every_url_is_in_the_access_table():
    missing = sorted(set(PATTERNS) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(PATTERNS))
    assert not missing, f"add these URLs to EXPECTED in tests/test_access.py: {missing}"
    assert not stale, f"these URLs in EXPECTED no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_view_declares_an_access_rule(name):
    callback = PATTERNS[name].callback
    assert hasattr(callback, "access_rule"), (
        f"{name}: decorate the view with centres.access.access(...), any_user or public"
    )


def _object_for(name, centre):
    """An object of `centre` for an object URL, or None for a URL without one."""
    pattern = PATTERNS[name]
    converters = set(pattern.pattern.converters)
    if not converters:
        return None
    model = pattern.callback.access_rule.model
    assert converters == {"pk"} and model is not None, (
        f"{name}: object URLs take `pk` and declare `@access(..., model=...)`"
    )
    make = OBJECT_IN_CENTRE.get(model)
    assert make is not None, f"add {model.__name__} to tests/factories.OBJECT_IN_CENTRE"
    return make(centre)


def _url_for(name, centre):
    obj = _object_for(name, centre)
    return reverse(name) if obj is None else reverse(name, kwargs={"pk": obj.pk})


def _allowed(response):
    """The view let the user in: a page, a redirect somewhere other than the login page,
    or 'use the other method' for an action."""
    if response.status_code == 302:
        return not response.url.startswith(reverse(settings.LOGIN_URL))
    return response.status_code in {200, 405}


BOOKKEEPING_APPS = {"sessions", "axes"}  # logins write these; they are not the user's data


def _row_counts():
    """How many rows each model has: a refused request must not change any of them."""
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in BOOKKEEPING_APPS
    }


def _request(client, method, url):
    return getattr(client, method)(url)


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(n for n, who in EXPECTED.items() if who != PUBLIC))
def test_anonymous_user_is_sent_to_log_in(client, centre, name, method):
    response = _request(client, method, _url_for(name, centre))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, who in EXPECTED.items() if who == PUBLIC))
def test_public_pages_open_without_logging_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code in {200, 405}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, who in EXPECTED.items() if who == LOGGED_IN))
def test_pages_for_any_logged_in_user_open_without_a_role(login, no_role_user, name):
    response = login(no_role_user).get(reverse(name))
    assert _allowed(response), f"{name}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ROLE_BOUND)
def test_user_without_centre_or_role_sees_only_the_no_access_page(
    login, no_role_user, centre, name, method
):
    url = _url_for(name, centre)
    before = _row_counts()
    response = _request(login(no_role_user), method, url)
    assert response.status_code == 403
    assert "no_access.html" in [t.name for t in response.templates]
    assert _row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", [STAFF, MANAGER, NATIONAL])
@pytest.mark.parametrize("name", ROLE_BOUND)
def test_each_role_is_let_in_or_refused_with_403(
    login, staff, manager, national, centre, name, role, method
):
    user = {STAFF: staff, MANAGER: manager, NATIONAL: national}[role]
    url = _url_for(name, centre)
    before = _row_counts()
    response = _request(login(user), method, url)
    if role in EXPECTED[name]:
        assert _allowed(response), f"{name} refused {role}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{name} let {role} in: {response.status_code}"
        assert _row_counts() == before, f"{name} changed data for {role} although refused"


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("name", "role"),
    [(n, r) for n in OBJECT_VIEWS for r in (STAFF, MANAGER) if r in EXPECTED[n]],
)
def test_centre_users_get_404_on_another_centres_objects(
    login, staff, manager, other_centre, name, role, method
):
    user = staff if role == STAFF else manager
    url = _url_for(name, other_centre)
    before = _row_counts()
    response = _request(login(user), method, url)
    assert response.status_code == 404
    assert _row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in OBJECT_VIEWS if NATIONAL in EXPECTED[n]])
def test_national_office_reads_every_centres_objects(login, national, other_centre, name):
    response = login(national).get(_url_for(name, other_centre))
    assert _allowed(response)


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", [n for n in OBJECT_VIEWS if NATIONAL not in EXPECTED[n]])
def test_centre_work_stays_in_the_users_own_centre_even_for_national_office_members(
    login, manager, other_centre, name, method
):
    """Someone who manages a centre and is also in the national office reads every
    centre, but changes only their own centre's records."""
    manager.groups.add(Group.objects.get(name=NATIONAL_OFFICE_GROUP))
    url = _url_for(name, other_centre)
    before = _row_counts()
    response = _request(login(manager), method, url)
    assert response.status_code == 404
    assert _row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", [STAFF, MANAGER, NATIONAL])
@pytest.mark.parametrize("name", ROLE_BOUND)
def test_may_answers_what_the_view_answers(
    login, staff, manager, national, centre, other_centre, name, role, whose
):
    """Pages show a link or button when `may(user, url_name, obj)` says so: it must agree
    with the view itself, for every page, role and centre."""
    user = {STAFF: staff, MANAGER: manager, NATIONAL: national}[role]
    where = centre if whose == "own" else other_centre
    obj = _object_for(name, where)
    url = reverse(name) if obj is None else reverse(name, kwargs={"pk": obj.pk})
    let_in = _allowed(login(user).get(url))
    assert may(user, name, obj) == let_in
    if obj is None and whose == "own":
        # A page that works on the user's own centre: asked about an object of that centre.
        assert may(user, name, centre) == let_in


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff", "manager", "national"])
def test_django_admin_is_for_superusers_only(login, staff, manager, national, username):
    user = {"staff": staff, "manager": manager, "national": national}[username]
    response = login(user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
