import pytest
from django.db import connections
from django_scopes import scopes_disabled
from hypothesis import settings as hypothesis_settings

from centres.models import Membership

from .factories import PASSWORD, CentreFactory, UserFactory, make_member, make_national


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Fixtures arrange data across centres, so they run without the scope net. Test
    bodies run with no scope at all, as production code outside a request does: requests
    made through the test client get the scope the middleware opens, services called
    directly run inside `scope_for(user)`, and a test that inspects rows says so with
    `scopes_disabled()`. A query that forgot its scope raises, in tests as in production."""
    with scopes_disabled():
        return (yield)


# Hypothesis's per-example deadline is a timing assertion: on a loaded two-core machine it
# fails tests that are right. Speed is measured in benchmarks/, never in tests.
hypothesis_settings.register_profile("hami", deadline=None)
hypothesis_settings.load_profile("hami")

_flushed = {"module": False}


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """Text messages sent by one test are not seen by the next (as `mail.outbox`)."""
    import sms

    sms.outbox = []


@pytest.fixture(scope="session", autouse=True)
def _reference_data(django_db_setup, django_db_blocker):
    """What the data migrations load (provinces, role groups, trades), as Django serialized
    it when it made the test database. Read once, first: Playwright's sync API runs the
    tests in a greenlet whose database connection object lacks this attribute."""
    return getattr(connections["default"], "_test_serialized_contents", None)


def _restore_reference_data(contents, blocker):
    from centres.models import Province

    with blocker.unblock():
        if contents and not Province.objects.exists():
            connections["default"].creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _transactional_tests_keep_reference_data(request, _reference_data, django_db_blocker):
    """A transactional test (browser, real threads) empties the database when it ends.
    Before each one, and after each module that had one, the reference data is put back,
    for the tests that follow and for the next `--reuse-db` session."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        assert marker.kwargs.get("serialized_rollback"), (
            "transactional tests need serialized_rollback=True, so the test database is "
            "serialized and its reference data can be restored"
        )
        _flushed["module"] = True
        # Django's own serialized_rollback reads this from the connection; give it to the
        # connection this test really uses, so its closing flush leaves no half state.
        connections["default"]._test_serialized_contents = _reference_data
        _restore_reference_data(_reference_data, django_db_blocker)
    yield


@pytest.fixture(scope="module", autouse=True)
def _reference_data_restored_after_flushes(_reference_data, django_db_blocker):
    yield
    if _flushed["module"]:
        _flushed["module"] = False
        _restore_reference_data(_reference_data, django_db_blocker)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests make hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def centre(db):
    return CentreFactory(code="AAA-01", name="مرکز حمایت شغلی الف")


@pytest.fixture
def other_centre(db):
    return CentreFactory(code="BBB-01", name="مرکز حمایت شغلی ب")


@pytest.fixture
def staff(centre):
    return make_member(centre, username="staff.a")


@pytest.fixture
def manager(centre):
    return make_member(centre, role=Membership.Role.MANAGER, username="manager.a")


@pytest.fixture
def other_staff(other_centre):
    return make_member(other_centre, username="staff.b")


@pytest.fixture
def national(db):
    return make_national(username="national")


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody")


@pytest.fixture
def login(client):
    """`login(user)` logs the test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests run when the database is PostgreSQL, Redis tests when REDIS_URL
    is set. Elsewhere they are deselected (not skipped), and in CI nothing may be left out."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    has_redis = bool(settings.REDIS_URL)
    keep, left_out = [], []
    for item in items:
        if ("postgres" in item.keywords and not on_postgres) or (
            "redis" in item.keywords and not has_redis
        ):
            left_out.append(item)
        else:
            keep.append(item)
    if left_out and os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI must run every test, but {len(left_out)} need PostgreSQL (DATABASE_URL) "
            "or Redis (REDIS_URL), which are not configured."
        )
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep
