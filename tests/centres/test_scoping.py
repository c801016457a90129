"""The django-scopes safety net is live: a query on centre-owned data outside any scope
raises, a request runs in its user's scope, and tasks and commands open theirs on purpose."""

import pytest
from django.urls import reverse
from django_scopes import ScopeError, scopes_disabled

from centres.models import Course
from centres.scoping import all_centres_scope, centre_scope, scope_for
from clients import services
from clients.models import Assessment, Client, Enrolment, EnrolmentTransition, State
from tests.factories import ClientFactory, CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

CENTRE_OWNED = [Client, Enrolment, Assessment, EnrolmentTransition, Course]


@pytest.mark.parametrize("model", CENTRE_OWNED, ids=lambda m: m.__name__)
def test_a_query_outside_any_scope_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()
    # django-scopes itself lets these through; Hami's manager refuses them too.
    with pytest.raises(ScopeError):
        model.objects.exists()
    with pytest.raises(ScopeError):
        model.objects.in_bulk([1])


def test_a_centre_scope_sees_that_centre_only(centre, other_centre):
    ours = ClientFactory(centre=centre)
    ClientFactory(centre=other_centre)

    with centre_scope(centre):
        assert list(Client.objects.all()) == [ours]
        # Asking for another centre's row by its key finds nothing, whatever the code asks.
        assert not Client.objects.filter(centre=other_centre).exists()


def test_the_all_centres_scope_sees_every_centre(centre, other_centre):
    ClientFactory(centre=centre)
    ClientFactory(centre=other_centre)

    with all_centres_scope():
        assert Client.objects.count() == 2


def test_a_user_without_a_centre_or_role_sees_no_centre_data(centre, no_role_user):
    ClientFactory(centre=centre)

    with scope_for(no_role_user):
        assert Client.objects.count() == 0


def test_the_national_office_scope_reads_every_centre(centre, other_centre, national):
    ClientFactory(centre=centre)
    ClientFactory(centre=other_centre)

    with scope_for(national):
        assert Client.objects.count() == 2


def test_a_service_run_in_a_users_scope_cannot_touch_another_centres_enrolment(staff, other_centre):
    """The net holds even where a view forgot its check: staff of one centre acting on an
    enrolment of another centre find nothing to act on."""
    theirs = EnrolmentFactory(client=ClientFactory(centre=other_centre), state=State.ASSESSED)

    with scope_for(staff), pytest.raises(Enrolment.DoesNotExist):
        services.withdraw(enrolment=theirs, by=staff, reason="آزمایش")

    theirs.refresh_from_db()
    assert theirs.state == State.ASSESSED


def test_a_service_outside_any_scope_raises_instead_of_reading_every_centre(staff, centre):
    """A task or command that forgot to open its scope fails loudly."""
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)

    with pytest.raises(ScopeError):
        services.withdraw(enrolment=enrolment, by=staff, reason="آزمایش")


def test_requests_run_in_the_scope_the_middleware_opens(login, staff, centre, other_centre):
    """The client list filters by centre itself, but the course list's trainee counts and
    the pages' lookups go through the scoped managers: without the middleware's scope the
    request would raise, and with a wrong scope it would show other centres' rows."""
    CourseFactory(centre=centre, title="دوره مرکز ما")
    CourseFactory(centre=other_centre, title="دوره مرکز دیگر")

    response = login(staff).get(reverse("centres:courses"))

    assert response.status_code == 200
    assert "دوره مرکز ما" in response.content.decode()
    assert "دوره مرکز دیگر" not in response.content.decode()


def test_test_bodies_run_without_a_scope_but_fixtures_and_factories_arrange_freely(centre):
    """The suite's own convention (tests/conftest.py): arranging needs no scope, and a
    test inspecting rows says so."""
    ClientFactory(centre=centre)
    with pytest.raises(ScopeError):
        Client.objects.count()
    with scopes_disabled():
        assert Client.objects.count() == 1
