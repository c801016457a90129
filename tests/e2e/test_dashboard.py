import pytest
from playwright.sync_api import expect

from clients.models import State
from tests.factories import ClientFactory, EnrolmentFactory, PlacementFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHARTS = ["chart-funnel", "chart-retention", "chart-loans", "chart-bands", "chart-trend"]
TABLES = ["reconciliation", "funnel-table", "retention-table", "trend-table", "centre-table"]


@pytest.fixture
def network(centre, other_centre):
    for state in (State.TRAINED, State.TRAINING, State.WITHDRAWN):
        EnrolmentFactory(client=ClientFactory(centre=centre), state=state)
    PlacementFactory(
        enrolment=EnrolmentFactory(client=ClientFactory(centre=other_centre), state=State.PLACED)
    )


@pytest.mark.parametrize(
    ("language", "entrants", "heading"),
    [("fa", "۴", "داشبورد ملی"), ("en", "4", "National dashboard")],
)
def test_national_office_lands_on_the_dashboard_with_its_charts_and_tables(
    live_server, page, national, network, password, tmp_path, language, entrants, heading
):
    page.context.add_cookies([{"name": "hami_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("national")
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator('[data-figure="entrants"]')).to_have_text(entrants)
    for chart in CHARTS:
        expect(page.locator(f"#{chart}")).to_have_attribute("data-drawn", "true")
    for table in TABLES:
        expect(page.locator(f"#{table}")).to_be_visible()
    # A definition is one click away.
    definition = page.locator("details.definition").first
    definition.locator("summary").click()
    expect(definition.locator("p")).to_be_visible()
    # The centre table sorts by a column.
    page.locator("#centre-table thead th").nth(2).locator("button").click()
    expect(page.locator("#centre-table thead th").nth(2)).to_have_attribute(
        "aria-sort", "ascending"
    )
    path = tmp_path / f"dashboard-{language}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000


def test_cohorts_draw_their_chart(live_server, page, national, network, login, client):
    client.force_login(national, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/dashboard/cohorts/")
    expect(page.locator("#chart-cohorts")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#cohort-table")).to_be_visible()
