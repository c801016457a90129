"""axe-core on every main page, in Persian and in English, as the users who work there.

Each page is opened in Chromium as the role that uses it, with the state it is seen in
(a client at intake, assessed, offered a seat, in training; a form with its errors shown),
and axe-core (vendored for the tests only: tests/e2e/vendor/) checks it. Any violation of
impact "serious" or "critical" fails the test, listed with its rule, help and the
elements it found. The app's CSP stays on: axe is evaluated through the browser's
debugging protocol, which the page's policy does not govern.

Every URL name of the URLconf is either checked here or excluded with a reason, so a page
added later is checked too (`test_every_page_is_checked_or_excluded_with_a_reason`).
"""

import datetime
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from centres.models import CentreApplication, Membership, Trade
from clients.import_template import COLUMNS
from clients.models import Assessment, ImportStatus, State, Track, WorkCapacity

from ..factories import (
    CentreApplicationFactory,
    CentreFactory,
    ClientFactory,
    ClientImportFactory,
    CourseFactory,
    EnrolmentFactory,
    OpeningFactory,
    UserFactory,
    make_member,
    make_national,
    placed_with_first_follow_up_due,
)
from ..loans.a11y_world import arrange_loans

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()
BLOCKING_IMPACTS = {"serious", "critical"}
# Each language on a desktop screen; Persian on a phone too (a collapsed navbar, tables
# that scroll sideways).
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SCREENS = {"fa": DESKTOP, "en": DESKTOP, "fa-phone": PHONE}
# Screenshots of pages with violations always; of every page with HAMI_SCREENSHOTS=1.
SCREENSHOTS = os.environ.get("HAMI_SCREENSHOTS") == "1"


# --- Which pages, as whom, in which state ------------------------------------------------


@dataclass
class World:
    """The data the pages show: one centre with its people, and a client in each state."""

    centre: object
    users: dict
    course: object
    clients: dict = field(default_factory=dict)
    enrolments: dict = field(default_factory=dict)
    imports: dict = field(default_factory=dict)
    placements: dict = field(default_factory=dict)
    loans: dict = field(default_factory=dict)
    applications: dict = field(default_factory=dict)


def arrange_world() -> World:
    centre = CentreFactory(
        code="A11Y-01",
        name="مرکز حمایت شغلی دسترس‌پذیری",
        training_capacity=2,
        opened_on=datetime.date(2024, 8, 3),
        phone="02166554433",
        address="خیابان آزادی، پلاک ۱۰",
    )
    users = {
        "staff": make_member(centre, username="a11y.staff", first_name="سارا", last_name="کریمی"),
        "manager": make_member(
            centre,
            role=Membership.Role.MANAGER,
            username="a11y.manager",
            first_name="حسین",
            last_name="رضایی",
        ),
        "national": make_national(username="a11y.national", first_name="نرگس", last_name="ستادی"),
        "nobody": UserFactory(username="a11y.nobody"),
    }
    trade = Trade.objects.order_by("code").first()  # the trades the data migration loads
    course = CourseFactory(centre=centre, trade=trade, title="خیاطی مقدماتی", instructor="مینا")
    world = World(centre=centre, users=users, course=course)

    def client(key, state, **enrolment_fields):
        person = ClientFactory(centre=centre, created_by=users["staff"], father_name="علی")
        world.clients[key] = person
        world.enrolments[key] = EnrolmentFactory(client=person, state=state, **enrolment_fields)
        if state != State.INTAKE:
            _assess(world.enrolments[key], by=users["staff"], trade=trade)

    client("intake", State.INTAKE)
    client("assessed", State.ASSESSED)
    client("training", State.TRAINING, course=course, training_started_on=_today())
    client("training_2", State.TRAINING, course=course, training_started_on=_today())
    now = timezone.now()
    client(
        "offered",
        State.WAITING,
        course=course,
        waiting_since=now - datetime.timedelta(days=3),
        seat_offered_at=now,
    )
    client("waiting", State.WAITING, course=course, waiting_since=now)
    client(
        "trained",
        State.TRAINED,
        course=course,
        training_started_on=_today() - datetime.timedelta(days=90),
        training_finished_on=_today() - datetime.timedelta(days=1),
        attendance_percent=92,
        certificate_number="TVTO-1403-88",
    )
    client("not_ready", State.NOT_READY, review_on=_today() + datetime.timedelta(days=30))
    client("withdrawn", State.WITHDRAWN, closed_at=now)
    world.clients["elsewhere"] = ClientFactory(centre=CentreFactory(code="A11Y-02"))
    imports = {
        "running": {"status": ImportStatus.CHECKING, "rows_total": 40, "rows_checked": 12},
        "done": {
            "status": ImportStatus.DONE,
            "rows_total": 3,
            "rows_checked": 3,
            "created_count": 3,
            "finished_at": now,
        },
    }
    for key, fields in imports.items():
        world.imports[key] = ClientImportFactory(centre=centre, created_by=users["staff"], **fields)
    _arrange_placements(world)
    world.loans = arrange_loans(centre, users)
    world.applications["submitted"] = CentreApplicationFactory(
        organisation_name="موسسه خیریه امید فردا"
    )
    return world


def _arrange_placements(world):
    """An employer, and a client placed a month ago whose first follow-up is due today."""
    placement = placed_with_first_follow_up_due(world.centre, by=world.users["staff"])
    world.clients["placed"] = placement.enrolment.client
    world.placements["wage"] = placement
    world.placements["employer"] = placement.employer
    with scopes_disabled():
        world.placements["follow_up"] = placement.follow_ups.get(months_after=1)
    world.placements["opening"] = OpeningFactory(
        employer=placement.employer, trade=world.course.trade, title="چرخ‌کار پوشاک"
    )


def _today():
    return timezone.localdate()


def _assess(enrolment, *, by, trade):
    assessment = Assessment.objects.create(
        client=enrolment.client,
        assessed_on=_today() - datetime.timedelta(days=5),
        assessor=by,
        interested_in_work=True,
        work_capacity=WorkCapacity.READY,
        recommended_track=Track.WAGE_JOB,
        notes="علاقه‌مند به خیاطی",
    )
    assessment.preferred_trades.add(trade)


def _client(key):
    return lambda w: {"pk": w.clients[key].pk}


def _enrolment(key):
    return lambda w: {"pk": w.enrolments[key].pk}


def _import(key):
    return lambda w: {"pk": w.imports[key].pk}


def _loan(key):
    return lambda w: {"pk": w.loans[key].pk}


def _centre(w):
    return {"pk": w.centre.pk}


def _application(key):
    return lambda w: {"pk": w.applications[key].pk}


def track_the_application(page):
    """The tracking page showing an application (its code typed in the form)."""
    code = CentreApplication.objects.order_by("pk").first().tracking_code
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator("[data-status]")).to_be_visible()


def approve_empty(page):
    """The approval form sent without its reason: the page comes back with its errors."""
    page.fill("input[name=centre_name]", "")
    with page.expect_navigation():
        page.locator("main form[action$='/approve/'] button[type=submit]").click()
    expect(page.locator("main .is-invalid").first).to_be_visible()


def _course(w):
    return {"pk": w.course.pk}


def _placement(key):
    return lambda w: {"pk": w.placements[key].pk}


@dataclass(frozen=True)
class Check:
    """One page to check: a URL name, its arguments, who looks at it, and a label for the
    report. `then` acts on the page before the check (e.g. submits the form empty)."""

    name: str
    as_user: str
    args: object = None  # World -> URL kwargs
    label: str = ""
    then: object = None  # playwright Page -> None
    status: int = 200

    def url(self, world):
        return reverse(self.name, kwargs=self.args(world) if self.args else None)

    def __str__(self):
        return f"{self.name}{f' ({self.label})' if self.label else ''} as {self.as_user}"


def submit_empty(page):
    """Submit the page's main form as it stands: the page comes back with its errors."""
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator("main .is-invalid, main .alert-danger").first).to_be_visible()


def clear_and_submit(page):
    """Clear every text field of the main form and submit it: every required field errs."""
    fields = page.locator(
        "main form[method=post] input[type=text], main form[method=post] input[type=date], "
        "main form[method=post] textarea"
    )
    for text_field in fields.all():
        text_field.fill("")
    page.keyboard.press("Escape")  # the last may be a date: its picker closes
    submit_empty(page)


def focus_the_birth_date(page):
    """In Persian the Jalali date picker opens beside the field."""
    page.locator("input[name=birth_date]").focus()
    if page.locator("html").get_attribute("lang") == "fa":
        page.locator("jdp-container").wait_for(state="visible")


def upload_a_file_with_a_bad_row(page):
    """The import's preview, listing a row's problems (a national code of three digits)."""
    row = {
        "id_number": "123",
        "welfare_file_number": "IMP-1",
        "first_name": "زهرا",
        "last_name": "احمدی",
        "gender": "female",
        "birth_date": "1370/01/01",
        "province": "تهران",
        "city": "تهران",
        "category": "female_head",
        "education": "diploma",
        "consent": "yes",
    }
    workbook = openpyxl.Workbook()
    workbook.active.append([column.key for column in COLUMNS])
    workbook.active.append([row.get(column.key, "") for column in COLUMNS])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clients.xlsx"
        workbook.save(path)
        page.locator("main input[type=file]").set_input_files(path)
        submit_empty(page)


CHECKS = [
    Check("login", "anonymous"),
    Check("login", "anonymous", label="wrong password", then=submit_empty),
    Check("clients:list", "nobody", label="the no-access page", status=403),
    Check("clients:skip_seat", "staff", _enrolment("offered"), "the 403 page", status=403),
    Check("clients:detail", "staff", _client("elsewhere"), "the 404 page", status=404),
    Check("password_change", "staff"),
    Check("password_change", "staff", label="with errors", then=submit_empty),
    Check("password_change_done", "staff"),
    Check("dashboard:centre_home", "staff"),
    Check("dashboard:national", "national"),
    Check("dashboard:national", "staff", label="the staff member's own centre"),
    Check("dashboard:cohorts", "national"),
    Check("clients:worklist", "staff"),
    Check("clients:worklist", "manager", label="with seat offers to confirm"),
    Check("clients:list", "staff"),
    Check("clients:list", "national", label="every centre"),
    Check("clients:create", "staff"),
    Check("clients:create", "staff", label="with errors", then=submit_empty),
    Check("clients:create", "staff", label="date field focused", then=focus_the_birth_date),
    Check("clients:import", "staff"),
    Check(
        "clients:import", "staff", label="preview with problems", then=upload_a_file_with_a_bad_row
    ),
    Check("clients:import_status", "staff", _import("running"), "in progress"),
    Check("clients:import_status", "staff", _import("done"), "done"),
    Check("clients:detail", "staff", _client("intake"), "intake"),
    Check("clients:detail", "staff", _client("assessed"), "assessed"),
    Check("clients:detail", "manager", _client("offered"), "waiting with a seat offer"),
    Check("clients:detail", "staff", _client("training"), "in training"),
    Check("clients:detail", "national", _client("training"), "in training"),
    Check("clients:detail", "staff", _client("trained"), "trained"),
    Check("clients:detail", "staff", _client("not_ready"), "not ready"),
    Check("clients:detail", "staff", _client("withdrawn"), "withdrawn"),
    Check("clients:edit", "staff", _client("assessed")),
    Check("clients:edit", "staff", _client("assessed"), "with errors", then=clear_and_submit),
    Check("clients:assess", "staff", _client("intake")),
    Check("clients:assess", "staff", _client("intake"), "with errors", then=clear_and_submit),
    Check("clients:seats", "manager", _centre),
    Check("clients:seats", "national", _centre),
    Check("clients:start_training", "staff", _enrolment("assessed")),
    Check(
        "clients:start_training", "staff", _enrolment("assessed"), "with errors", then=submit_empty
    ),
    Check("clients:finish_training", "staff", _enrolment("training")),
    Check(
        "clients:finish_training",
        "staff",
        _enrolment("training"),
        "with errors",
        then=clear_and_submit,
    ),
    Check("clients:withdraw", "staff", _enrolment("assessed")),
    Check("clients:withdraw", "staff", _enrolment("assessed"), "with errors", then=submit_empty),
    Check("clients:not_ready", "staff", _enrolment("assessed")),
    Check("clients:not_ready", "staff", _enrolment("assessed"), "with errors", then=submit_empty),
    Check("clients:skip_seat", "manager", _enrolment("offered")),
    Check("centres:list", "national"),
    Check("centres:detail", "staff", _centre),
    Check("centres:detail", "national", _centre),
    Check("centres:courses", "staff"),
    Check("centres:courses", "national", label="every centre"),
    Check("centres:course_create", "staff"),
    Check("centres:course_create", "staff", label="with errors", then=submit_empty),
    Check("centres:course_edit", "staff", _course),
    Check("clients:detail", "staff", _client("placed"), "placed, with a follow-up due"),
    Check("placements:create", "staff", _enrolment("trained")),
    Check("placements:create", "staff", _enrolment("trained"), "with errors", then=submit_empty),
    Check("placements:detail", "staff", _placement("wage")),
    Check("placements:detail", "national", _placement("wage")),
    Check("placements:employers", "staff"),
    Check("placements:employers", "national", label="every centre"),
    Check("placements:employer_create", "staff"),
    Check("placements:employer_create", "staff", label="with errors", then=submit_empty),
    Check("placements:employer_detail", "staff", _placement("employer")),
    Check("placements:employer_edit", "staff", _placement("employer")),
    Check("placements:openings", "staff"),
    Check("placements:openings", "national", label="every centre"),
    Check("placements:opening_create", "staff"),
    Check("placements:opening_create", "staff", label="with errors", then=clear_and_submit),
    Check("placements:opening_detail", "staff", _placement("opening"), "with suggestions"),
    Check("placements:opening_edit", "staff", _placement("opening")),
    Check("clients:detail", "staff", _client("trained"), "trained, with matching openings"),
    Check("follow_ups:worklist", "staff"),
    Check("follow_ups:record", "staff", _placement("follow_up")),
    Check("follow_ups:record", "staff", _placement("follow_up"), "with errors", then=submit_empty),
    Check("loans:list", "staff"),
    Check("loans:list", "national", label="every centre"),
    Check("loans:queue", "national"),
    Check("loans:plan_create", "staff", _client("assessed")),
    Check("loans:plan_create", "staff", _client("assessed"), "with errors", then=clear_and_submit),
    Check("loans:plan", "staff", _loan("plan")),
    Check("loans:plan_edit", "staff", _loan("plan")),
    Check("loans:apply", "staff", _loan("plan")),
    Check("loans:apply", "staff", _loan("plan"), "with errors", then=submit_empty),
    Check("loans:detail", "staff", _loan("draft"), "draft"),
    Check("loans:detail", "manager", _loan("submitted"), "submitted"),
    Check("loans:detail", "national", _loan("recommended"), "recommended"),
    Check("loans:detail", "staff", _loan("loan"), "repaying, paused"),
    Check("loans:edit", "staff", _loan("draft")),
    Check("loans:guarantor_add", "staff", _loan("draft")),
    Check("loans:guarantor_add", "staff", _loan("draft"), "with errors", then=submit_empty),
    Check("loans:recommend", "manager", _loan("submitted")),
    Check("loans:approve", "national", _loan("recommended")),
    Check("loans:approve", "national", _loan("recommended"), "with errors", then=clear_and_submit),
    Check("loans:reject", "national", _loan("recommended")),
    Check("loans:disburse", "national", _loan("approved")),
    Check("loans:withdraw", "staff", _loan("draft")),
    Check("loans:repay", "staff", _loan("loan")),
    Check("loans:link_placement", "staff", _loan("loan")),
    Check("loans:repay", "staff", _loan("loan"), "with errors", then=clear_and_submit),
    Check("loans:reverse", "manager", _loan("repayment")),
    Check("loans:pause", "manager", _loan("loan")),
    Check("loans:agreement", "staff", _loan("loan")),
    Check("loans:arrears", "staff"),
    Check("loans:arrears", "national", label="every centre"),
    Check("loans:follow_up_close", "staff", _loan("follow_up")),
    Check("loans:credit_lines", "national"),
    Check("loans:credit_line", "national", _loan("line")),
    Check("centres:apply", "anonymous"),
    Check("centres:apply", "anonymous", label="with errors", then=submit_empty),
    Check("centres:track", "anonymous"),
    Check("centres:track", "anonymous", label="an application", then=track_the_application),
    Check("centres:invitation", "anonymous", label="no valid link"),
    Check("centres:applications", "national"),
    Check("centres:application", "national", _application("submitted"), "to review"),
    Check(
        "centres:application",
        "national",
        _application("submitted"),
        "approval with errors",
        then=approve_empty,
    ),
    Check("centres:network", "national"),
]

# URL names that are not pages a person reads, each with the reason.
EXCLUDED = {
    "home": "redirects to the centre home or the national dashboard, both checked",
    "healthz": "JSON for the load balancer",
    "set_language": "POST only: the language switch, checked on every page's navbar",
    "logout": "POST only: the navbar's log-out button",
    "clients:reopen": "POST only: a button on the client page",
    "clients:confirm_seat": "POST only: a button on the client page and the seats page",
    "placements:opening_close": "POST only: a button on the opening page",
    "loans:export": "an Excel file, not a page",
    "loans:schedule_export": "an Excel file, not a page",
    "loans:cost_row": "an htmx fragment: a row of the plan form, checked within that form",
    "loans:plan_total": "POST only: the plan form's running total, checked within that form",
    "loans:submit": "POST only: a button on the loan page",
    "loans:unlink_placement": "POST only: a button on the loan page",
    "loans:guarantor_remove": "POST only: a button on the loan page",
    "centres:revise": "the application form again (checked as centres:apply), for a tracked "
    "application that the office asked to change",
    "centres:application_review": "POST only: a form on the application page",
    "centres:application_approve": "POST only: a form on the application page",
    "centres:application_return": "POST only: a form on the application page",
    "centres:application_invite": "POST only: a button on the application page",
    "centres:application_document": "a PDF or image file, not a page",
}


# --- The check ----------------------------------------------------------------------------


def _url_names(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin, for superusers; not Hami's pages
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}:{entry.name}" if namespace else entry.name


@pytest.mark.django_db(transaction=False)
def test_every_page_is_checked_or_excluded_with_a_reason():
    names = set(_url_names(get_resolver().url_patterns))
    checked = {check.name for check in CHECKS}
    missing = sorted(names - checked - set(EXCLUDED))
    assert not missing, (
        f"add these pages to CHECKS (or to EXCLUDED, with the reason) in {__name__}: {missing}"
    )
    stale = sorted((checked | set(EXCLUDED)) - names)
    assert not stale, f"these URL names are gone from the URLconf: {stale}"
    assert not checked & set(EXCLUDED), "a page is both checked and excluded"


def _log_in(context, live_server, user):
    http = DjangoClient()
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": http.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _violations(page):
    # Colours are measured as shown: wait until every animation (the picker opening, an
    # alert fading in) has played.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    # Evaluated through the browser's debugging protocol, which the page's CSP does not
    # govern: the app keeps its strict policy while it is checked.
    page.evaluate(AXE_SOURCE)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def _describe(check, screen, violations):
    lines = [f"{check} [{screen}]:"]
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            summary = node["failureSummary"].splitlines()[-1].strip()
            lines.append(f"    - {' '.join(node['target'])}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", SCREENS)
def test_no_serious_or_critical_violation_on_any_main_page(
    live_server, browser, screen, screenshot_dir
):
    language, viewport = screen.split("-")[0], SCREENS[screen]
    world = arrange_world()
    for user in world.users.values():
        user.language = language
        user.save(update_fields=["language"])

    failures, pages = [], {}
    try:
        for check in CHECKS:
            page = pages.get(check.as_user) or pages.setdefault(
                check.as_user,
                _page_for(browser, live_server, world, check.as_user, language, viewport),
            )
            response = page.goto(live_server.url + check.url(world))
            assert response.status == check.status, f"{check}: {response.status}"
            if check.then:
                check.then(page)
            assert page.locator("html").get_attribute("lang") == language, str(check)
            violations = _violations(page)
            if violations or SCREENSHOTS:
                slug = "-".join(filter(None, [check.name, check.label, check.as_user]))
                slug = slug.replace(":", "-").replace(" ", "-")
                page.screenshot(path=screenshot_dir / f"{screen}-{slug}.png", full_page=True)
            if violations:
                failures.append(_describe(check, screen, violations))
    finally:
        for page in pages.values():
            page.context.close()
    assert not failures, "axe found serious or critical violations:\n" + "\n".join(failures)


def _page_for(browser, live_server, world, who, language, viewport):
    """A browser tab of its own for each user (its own cookies), in an English-speaking
    browser: the language comes from the user's saved choice, or the cookie."""
    context = browser.new_context(locale="en-US", viewport=viewport)
    context.set_default_timeout(10_000)
    if who == "anonymous":
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
        context.add_cookies([cookie])
    else:
        _log_in(context, live_server, world.users[who])
    return context.new_page()


@pytest.fixture
def screenshot_dir():
    from .conftest import ARTIFACTS

    path = ARTIFACTS / "a11y"
    path.mkdir(parents=True, exist_ok=True)
    return path
