"""The main journey with the keyboard alone: no clicks, only Tab, Shift+Tab, Enter, Space,
arrow keys and typing. A centre worker logs in, registers a client (the Jalali birth date
typed in Persian, with its date picker open beside the field), records an assessment with
the radio buttons, starts and finishes the training; a centre manager confirms a seat
offer, switches the language and logs out through the navbar's menu. Every element the
keyboard reaches on the way shows where the focus is."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import State

from ..factories import ClientFactory, CourseFactory, EnrolmentFactory, national_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_TABS = 60

FOCUS_INDICATOR = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    // Chromium's date field has a calendar button of its own, focused after the date's
    // parts; the browser draws its focus ring, which no style of the page can remove.
    const nativeButton = el.type === "date" && !el.matches(":focus");
    // Otherwise a solid outline of 2px or more (Hami's), or the browser's own ring
    // ("auto"); Bootstrap's faint glow alone, which buttons and fields have, is not enough.
    const outline = nativeButton
        || style.outlineStyle === "auto"
        || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2);
    const rect = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        text: (el.innerText || el.value || el.name || "").trim().slice(0, 40),
        outline: outline,
        visible: rect.width > 1 && rect.height > 1,
    };
}"""


def assert_focus_is_visible(page):
    focused = page.evaluate(FOCUS_INDICATOR)
    assert focused["tag"] != "body", "the focus was lost (it is on the page itself)"
    assert focused["visible"], f"the focused {focused['tag']} {focused['text']!r} is not shown"
    assert focused["outline"], (
        f"the focused {focused['tag']} {focused['text']!r} has no visible focus indicator"
    )


def tab_to(page, target, *, backwards=False):
    """Press Tab (or Shift+Tab) until `target` (a locator; for a radio group, any of its
    buttons) has the focus; every stop on the way must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    handles = target.element_handles()
    assert handles, f"{target} is not on the page"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        assert_focus_is_visible(page)
        if page.evaluate("els => els.includes(document.activeElement)", handles):
            return
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {target}")


def choose_radio(page, name, value):
    """Tab into a radio group (one Tab stop) and choose with Space and the arrow keys."""
    tab_to(page, page.locator(f"input[name={name}]"))
    if not page.locator(f"input[name={name}]:checked").count():
        page.keyboard.press("Space")  # nothing chosen yet: choose the focused button
    target = page.locator(f"input[name={name}][value={value}]")
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {name}={value}")


def choose(page, select, label):
    """With the focus on a <select>, move through its options with the arrow keys."""
    for _ in range(40):
        if select.evaluate("s => s.options[s.selectedIndex].text.trim()").startswith(label):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r} in {select}")


def press_and_load(page, key):
    """Press a key that opens another page (a link, a form's submit) and wait for it."""
    with page.expect_navigation():
        page.keyboard.press(key)


def follow(page, link):
    tab_to(page, link)
    press_and_load(page, "Enter")


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    username_field = page.locator("input[name=username]")
    expect(username_field).to_be_focused()  # the login form's first field takes the focus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(password)
    press_and_load(page, "Enter")


def skip_to_content(page):
    """The first Tab stop of a page is the skip link, shown when it has the focus; it
    jumps past the navbar, into the page's main content."""
    page.keyboard.press("Tab")
    skip = page.locator("a[href='#main']")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert_focus_is_visible(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), (
        "Tab after the skip link should land in the main content"
    )


def register_client(
    page, screenshot, *, birth_date, pick_gender, pick_category, pick_education, number
):
    main = page.locator("main")
    skip_to_content(page)
    follow(page, main.locator("a[href$='/clients/new/']"))
    tab_to(page, page.locator("input[name=id_number]"))
    page.keyboard.type("1234567890")  # a wrong check digit
    page.keyboard.press("Tab")
    expect(page.locator("input[name=welfare_file_number]")).to_be_focused()
    page.keyboard.type(f"KB-{number}")
    page.keyboard.press("Tab")
    page.keyboard.type("فاطمه")
    page.keyboard.press("Tab")
    page.keyboard.type("محمدی")
    tab_to(page, page.locator("select[name=gender]"))
    choose(page, page.locator("select[name=gender]"), pick_gender)
    page.keyboard.press("Tab")
    birth = page.locator("input[name=birth_date]")
    expect(birth).to_be_focused()
    birth_date(page, birth)
    # Tab leaves the field (Chromium's own date field first steps through its parts).
    tab_to(page, page.locator("input[name=mobile]"))
    expect(page.locator("jdp-container")).to_be_hidden()  # the picker closed as focus left
    page.keyboard.type("09121234567")
    tab_to(page, page.locator("select[name=category]"))
    choose(page, page.locator("select[name=category]"), pick_category)
    page.keyboard.press("Tab")
    choose(page, page.locator("select[name=education]"), pick_education)
    page.keyboard.press("Tab")
    expect(page.locator("input[name=consent]")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("input[name=consent]")).to_be_checked()
    tab_to(page, main.locator("button[type=submit]"))
    screenshot(f"keyboard-register-{page.locator('html').get_attribute('lang')}")
    press_and_load(page, "Enter")

    # The national code was mistyped: the form comes back with the focus on that field.
    id_number = page.locator("input[name=id_number]")
    expect(id_number).to_be_focused()
    expect(id_number).to_have_attribute("aria-invalid", "true")
    assert_focus_is_visible(page)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(national_code(number))
    press_and_load(page, "Enter")  # Enter in a text field submits its form
    expect(page.get_by_role("heading", level=1)).to_have_text("فاطمه محمدی")


def assess(page, *, pick_track):
    follow(page, page.locator("main a[href$='/assess/']"))
    choose_radio(page, "interested_in_work", "True")
    choose_radio(page, "work_capacity", "ready")
    page.keyboard.press("Tab")
    select = page.locator("select[name=recommended_track]")
    expect(select).to_be_focused()
    choose(page, select, pick_track)
    tab_to(page, page.locator("main form button[type=submit]"))
    press_and_load(page, "Enter")
    expect(page.locator(".alert-success")).to_be_visible()


def start_and_finish_training(page, *, course_title, attendance):
    follow(page, page.locator("main a[href$='/training/']"))
    select = page.locator("select[name=course]")
    tab_to(page, select)
    choose(page, select, course_title)
    tab_to(page, page.locator("main form button[type=submit]"))
    press_and_load(page, "Enter")
    expect(page.locator(".alert-success")).to_be_visible()

    follow(page, page.locator("main a[href$='/finish/']"))
    tab_to(page, page.locator("input[name=attendance_percent]"))
    page.keyboard.type(attendance)
    tab_to(page, page.locator("main form button[type=submit]"))
    press_and_load(page, "Enter")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(5)


def type_jalali_date(page, field):
    # The date picker opens beside the field; typing works, Escape closes the picker and
    # leaves the focus in the field, and Tab moves on (closing it) as from any field.
    picker = page.locator("jdp-container")
    expect(picker).to_be_visible()
    page.keyboard.type("1370/06/31")
    expect(field).to_have_value("1370/06/31")
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(field).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(picker).to_be_visible()


def type_iso_date(page, field):
    # Chromium's date field in an en-US browser: month, day, year, each typed in turn.
    page.keyboard.type("09221991")
    expect(field).to_have_value("1991-09-22")


# What a user of each language types and picks: the same journey, in their words.
JOURNEY = {
    "fa": {
        "type_birth_date": type_jalali_date,
        "birth_date_shown": "۱۳۷۰/۰۶/۳۱",
        "gender": "زن",
        "category": "زن سرپرست خانوار",
        "education": "دیپلم",
        "track": "اشتغال مزدبگیری",
        "course": "خیاطی مقدماتی",
        "attendance": "۹۲",
    },
    "en": {
        "type_birth_date": type_iso_date,
        "birth_date_shown": "1991-09-22",
        "gender": "Female",
        "category": "Female head of household",
        "education": "High-school diploma",
        "track": "Wage job",
        "course": "Tailoring basics",
        "attendance": "92",
    },
}


@pytest.mark.parametrize("language", JOURNEY)
def test_register_assess_and_train_with_the_keyboard_alone(
    live_server, page, screenshot, staff, centre, password, language
):
    words = JOURNEY[language]
    staff.language = language
    staff.save(update_fields=["language"])
    CourseFactory(centre=centre, title=words["course"])
    log_in(page, live_server, "staff.a", password)
    expect(page.locator("html")).to_have_attribute("lang", language)
    register_client(
        page,
        screenshot,
        birth_date=words["type_birth_date"],
        pick_gender=words["gender"],
        pick_category=words["category"],
        pick_education=words["education"],
        number=11,
    )
    expect(page.locator("main")).to_contain_text(words["birth_date_shown"])
    assess(page, pick_track=words["track"])
    start_and_finish_training(page, course_title=words["course"], attendance=words["attendance"])


def test_manager_confirms_a_seat_switches_language_and_logs_out_with_the_keyboard(
    live_server, page, manager, centre, password
):
    course = CourseFactory(centre=centre, title="خیاطی مقدماتی")
    waiting = EnrolmentFactory(
        client=ClientFactory(centre=centre, first_name="مریم", last_name="نوری"),
        state=State.WAITING,
        course=course,
        waiting_since=timezone.now(),
        seat_offered_at=timezone.now(),
    )
    log_in(page, live_server, "manager.a", password)
    expect(page.get_by_role("heading", level=1)).to_contain_text(centre.name)  # centre home
    page.goto(f"{live_server.url}/clients/worklist/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("کارتابل")

    skip_to_content(page)
    follow(page, page.locator(f"main form[action$='/{waiting.pk}/confirm-seat/'] button"))
    expect(page.locator(".alert-success")).to_contain_text("مریم نوری")

    # Back up into the navbar (Shift+Tab) to the language switch.
    tab_to(page, page.locator("main a").first)
    tab_to(page, page.locator("button[name=language]"), backwards=True)
    press_and_load(page, "Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The user menu opens with Enter; the arrow keys walk its items.
    tab_to(page, page.locator("nav .dropdown-toggle"))
    page.keyboard.press("Enter")
    expect(page.locator("nav .dropdown-menu")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Change password")).to_be_focused()
    assert_focus_is_visible(page)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Log out")).to_be_focused()
    assert_focus_is_visible(page)
    press_and_load(page, "Enter")
    expect(page.locator("input[name=username]")).to_be_visible()


def test_the_date_picker_stays_closed_once_the_keyboard_has_moved_on(
    live_server, page, staff, password
):
    """The picker finishes opening a moment after the field takes the focus; a fast
    Tab or Escape must not leave it to pop up over the form afterwards."""
    page.clock.install()  # the browser's timers run only when the test says so
    log_in(page, live_server, "staff.a", password)
    page.goto(f"{live_server.url}/clients/new/")
    picker, birth = page.locator("jdp-container"), page.locator("input[name=birth_date]")

    tab_to(page, birth)
    page.keyboard.press("Tab")  # straight on, before the picker has finished opening
    page.clock.run_for(2000)
    expect(page.locator("input[name=mobile]")).to_be_focused()
    expect(picker).to_be_hidden()

    tab_to(page, birth, backwards=True)
    page.keyboard.press("Escape")
    page.clock.run_for(2000)
    expect(birth).to_be_focused()
    expect(picker).to_be_hidden()
