import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.models import Centre
from clients.models import Enrolment, EnrolmentTransition, ExitReason, State
from loans.models import State as LoanState
from tests.factories import (
    CentreFactory,
    ClientFactory,
    EnrolmentFactory,
    LoanApplicationFactory,
    PlacementFactory,
)


def figure(response, name) -> str:
    """The text of the headline figure `name` (`data-figure="…"`) on the page."""
    match = re.search(rf'data-figure="{name}">([^<]*)', response.content.decode())
    assert match, f"no figure {name} on the page"
    return match.group(1).strip()


@pytest.fixture
def two_centres(centre, other_centre):
    with scopes_disabled():
        for _ in range(3):
            EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINED)
        for _ in range(5):
            EnrolmentFactory(client=ClientFactory(centre=other_centre), state=State.TRAINING)


# -- scoping ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_national_office_sees_the_whole_network_in_persian_digits(login, national, two_centres):
    response = login(national).get(reverse("dashboard:national"))
    assert response.status_code == 200
    assert figure(response, "entrants") == "۸"
    content = response.content.decode()
    assert "مرکز حمایت شغلی الف" in content and "مرکز حمایت شغلی ب" in content


@pytest.mark.django_db
def test_national_office_narrows_to_one_centre(login, national, two_centres, other_centre):
    response = login(national).get(reverse("dashboard:national"), {"centre": other_centre.pk})
    assert figure(response, "entrants") == "۵"


@pytest.mark.django_db
@pytest.mark.parametrize("asked", [None, "other"])
def test_staff_see_only_their_own_centres_figures(login, staff, two_centres, other_centre, asked):
    query = {"centre": other_centre.pk} if asked else {}
    response = login(staff).get(reverse("dashboard:national"), query)
    assert response.status_code == 200
    assert figure(response, "entrants") == "۳"
    content = response.content.decode()
    assert "مرکز حمایت شغلی ب" not in content
    assert 'id="centre-table"' not in content and 'id="credit-line-table"' not in content


@pytest.mark.django_db
def test_staff_cohorts_are_their_own_centres(login, staff, two_centres):
    content = login(staff).get(reverse("dashboard:cohorts")).content.decode()
    rows = re.findall(
        r'<th scope="row" class="fw-normal">[^<]*</th>\s*<td class="text-end">([^<]*)</td>', content
    )
    assert sum(int(r.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))) for r in rows) == 3


@pytest.mark.django_db
def test_the_dashboard_speaks_english_with_latin_digits(login, national, two_centres):
    client = login(national)
    client.cookies["hami_language"] = "en"
    response = client.get(reverse("dashboard:national"))
    assert figure(response, "entrants") == "8"
    assert "Successful outcome" in response.content.decode()


@pytest.mark.django_db
def test_a_wrong_period_shows_all_time_and_says_why(login, national, two_centres):
    response = login(national).get(
        reverse("dashboard:national"), {"starts_on": "1403/06/01", "ends_on": "1403/01/01"}
    )
    assert response.status_code == 200
    assert figure(response, "entrants") == "۸"
    assert "is-invalid" in response.content.decode()


# -- query counts ----------------------------------------------------------------------------


def _network_of(n: int) -> None:
    with scopes_disabled():
        existing = Centre.objects.count()
        centres = CentreFactory.create_batch(n - existing) if n > existing else []
        for centre in centres[:5]:
            EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING)
            PlacementFactory(
                enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
            )
            LoanApplicationFactory(
                plan__client=ClientFactory(centre=centre), state=LoanState.REPAYING
            )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["dashboard:national", "dashboard:cohorts"])
def test_the_dashboards_queries_do_not_grow_with_the_network(login, national, url_name):
    client = login(national)
    url = reverse(url_name)
    _network_of(10)
    small = _queries(client, url)
    _network_of(200)
    assert _queries(client, url) == small


@pytest.mark.django_db
def test_the_centre_home_queries_do_not_grow_with_its_data(login, staff, centre):
    client = login(staff)
    url = reverse("dashboard:centre_home")
    first = _queries(client, url)
    with scopes_disabled():
        for _ in range(10):
            PlacementFactory(
                enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
            )
            EnrolmentFactory(client=ClientFactory(centre=centre), state=State.WAITING)
    assert _queries(client, url) == first


# -- the centre home -------------------------------------------------------------------------


@pytest.mark.django_db
def test_centre_users_land_on_their_centre_home(client, staff, password):
    response = client.post(reverse("login"), {"username": "staff.a", "password": password})
    assert client.get(response.url).url == reverse("dashboard:centre_home")


@pytest.mark.django_db
def test_the_centre_home_counts_seats_follow_ups_and_loans(login, staff, manager, centre):
    today = timezone.localdate()
    with scopes_disabled():
        centre.training_capacity = 10
        centre.save()
        for _ in range(4):
            EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING)
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.WAITING)
        placement = PlacementFactory(
            enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
        )
        follow_ups = list(placement.follow_ups.order_by("months_after"))
        # one due today, one in three days, one overdue (past its 14-day window)
        for follow_up, due_on in zip(
            follow_ups, [today, today + timedelta(days=3), today - timedelta(days=30)], strict=False
        ):
            follow_up.due_on = due_on
            follow_up.save()
        LoanApplicationFactory(plan__client=ClientFactory(centre=centre), state=LoanState.DRAFT)
        LoanApplicationFactory(plan__client=ClientFactory(centre=centre), state=LoanState.SUBMITTED)
    response = login(staff).get(reverse("dashboard:centre_home"))
    assert figure(response, "seats-used") == "۴ از ۱۰ گرفته شده"
    assert figure(response, "seats-free") == "۶ خالی"
    assert figure(response, "waiting") == "۱"
    assert figure(response, "follow-ups-today") == "۱"
    assert figure(response, "follow-ups-week") == "۱"
    assert figure(response, "follow-ups-overdue") == "۱"
    assert figure(response, "loans-to-act-on") == "۱"  # the draft, to submit
    response = login(manager).get(reverse("dashboard:centre_home"))
    assert figure(response, "loans-to-act-on") == "۲"  # and the submitted one, to recommend


@pytest.mark.django_db
def test_the_centre_home_shows_recent_activity_of_its_own_centre(
    login, staff, centre, other_centre
):
    with scopes_disabled():
        ours = EnrolmentFactory(client=ClientFactory(centre=centre, last_name="نیک‌نام"))
        theirs = EnrolmentFactory(client=ClientFactory(centre=other_centre, last_name="دیگری"))
        for enrolment in (ours, theirs):
            EnrolmentTransition.objects.create(
                enrolment=enrolment, action="register", to_state=State.INTAKE, by=staff
            )
    content = login(staff).get(reverse("dashboard:centre_home")).content.decode()
    assert "نیک‌نام" in content
    assert "دیگری" not in content


# -- exclusions through the withdraw form ----------------------------------------------------


@pytest.mark.django_db
def test_a_client_withdrawn_as_deceased_leaves_the_figures(login, staff, national, centre):
    with scopes_disabled():
        enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    response = login(staff).post(
        reverse("clients:withdraw", kwargs={"pk": enrolment.pk}),
        {"version": enrolment.version, "exit_reason": ExitReason.DECEASED, "reason": "درگذشت"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert (enrolment.state, enrolment.exit_reason) == (State.WITHDRAWN, ExitReason.DECEASED)
    response = login(national).get(reverse("dashboard:national"))
    assert figure(response, "entrants") == "۱"
    assert figure(response, "excluded") == "۱"


# -- the article's figures -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_article_network_shows_the_published_figures(client):
    call_command("seed_demo", scale="article", stdout=io.StringIO())
    national = get_user_model().objects.get(username="national")
    client.force_login(national, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("dashboard:national"))
    assert figure(response, "entrants") == "۳٬۲۰۰"
    assert figure(response, "successful") == "۱٬۹۸۴"
    assert 'data-figure="successful">۱٬۹۸۴ <span class="fs-5">(۶۲٫۰٪)</span>' in (
        response.content.decode()
    )
    assert figure(response, "benefited") == "۱٬۸۶۰"
    assert figure(response, "excluded") == "۱۶"
    # A second run changes nothing.
    call_command("seed_demo", scale="article", stdout=io.StringIO())
    assert figure(client.get(reverse("dashboard:national")), "entrants") == "۳٬۲۰۰"
