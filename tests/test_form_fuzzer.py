"""A property-based fuzzer for every form of the site, found by walking the URLconf.

For each URL pattern (the walk of `tests/test_access.py`), a user the access table
`EXPECTED` lets in opens the page, and every `<form>` on it (or, for a view that only
takes POST, on the pages of the same objects) that submits to that URL is read from the
HTML: its fields, their kinds, their choices and what the page filled in. Hypothesis then
submits it again and again in both languages: plausible values with some replaced by
hostile ones (long strings, control and zero-width characters, mixed Persian, Arabic and
Latin digits, HTML and SQL fragments, impossible and extreme dates in both calendars,
huge and negative numbers, wrong choices), fields left out or sent twice, random bytes
for a file. Each example runs in a savepoint that is rolled back, and must end in one of
two ways:

- the form again (200) and not one row changed anywhere (no half-saved row); or
- a redirect to a page of this site, every row it added or changed passing
  `full_clean()` and holding no control character.

Never a 500, and never an injected tag unescaped in the answer or the page the redirect
leads to. A form added later is fuzzed without anyone remembering; a form with a field
the fuzzer does not know how to fill fails `test_every_form_can_be_driven`.

`pytest -s tests/test_form_fuzzer.py` prints how each form answered (saved, refused);
`HAMI_FUZZ_EXAMPLES` changes the number of examples per form, `HAMI_FUZZ_DEBUG=1` prints
each refusal with its errors.
"""

import os
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from centres.models import Centre, CentreApplication, Course
from clients.models import Client, Enrolment, State
from placements.models import Employer

from .factories import (
    OBJECT_IN_CENTRE,
    CentreApplicationFactory,
    ClientFactory,
    CourseFactory,
    EmployerFactory,
    EnrolmentFactory,
    TradeFactory,
)
from .form_fuzzing import (
    KNOWN_KINDS,
    PageForm,
    assert_nothing_unescaped,
    assert_saved_rows_are_valid,
    assert_stays_on_the_site,
    fingerprint,
    forms_on,
    submissions,
    submit,
    url_name_of,
)
from .loans.fuzz_world import loan_world
from .test_access import (
    CENTRE,
    EVERYONE,
    EXPECTED,
    LOGGED_IN,
    MANAGER_ONLY,
    NATIONAL_ONLY,
    PATTERNS,
    PUBLIC,
)

EXAMPLES_PER_FORM = int(os.environ.get("HAMI_FUZZ_EXAMPLES", 40))

# Logging out ends the session the fuzzer works in; it takes no input but the CSRF token.
NOT_FUZZED = {"logout": "takes no input: a button that ends the session"}

# -- the world the forms act on ------------------------------------------------------------


@dataclass
class World:
    centre: Centre
    staff: object
    manager: object
    national: object
    objects: dict  # (model, URL name or None) -> object


@pytest.fixture
def world(centre, staff, manager, national):
    """One centre with a client at each step of the journey, so that every action's form
    can succeed as well as fail."""
    centre.training_capacity = 3
    centre.save()
    course = CourseFactory(centre=centre, trade=TradeFactory(code="fuzz-trade"), title="دوره")
    at = {state: ClientFactory(centre=centre) for state in State}
    enrolments = {
        state: EnrolmentFactory(client=at[state], state=state)
        for state in (State.INTAKE, State.ASSESSED)
    }
    enrolments[State.TRAINING] = EnrolmentFactory(
        client=at[State.TRAINING], state=State.TRAINING, course=course
    )
    enrolments[State.NOT_READY] = EnrolmentFactory(
        client=at[State.NOT_READY],
        state=State.NOT_READY,
        review_on=timezone.localdate() + timedelta(days=30),
    )
    with scopes_disabled():
        Client.objects.filter(pk=at[State.INTAKE].pk).update(
            created_at=timezone.now() - timedelta(days=40)
        )
    enrolments[State.WAITING] = EnrolmentFactory(
        client=at[State.WAITING],
        state=State.WAITING,
        course=course,
        waiting_since=timezone.now(),
        seat_offered_at=timezone.now(),
    )
    closed = EnrolmentFactory(
        client=at[State.WITHDRAWN], state=State.WITHDRAWN, closed_at=timezone.now()
    )
    trained = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINED)
    employer = EmployerFactory(centre=centre)  # for the placement and opening forms
    objects = {
        (Enrolment, "placements:create"): trained,
        (Employer, None): employer,
        (Client, None): at[State.INTAKE],
        (Client, "clients:reopen"): closed.client,
        (Enrolment, None): enrolments[State.INTAKE],
        (Enrolment, "clients:start_training"): enrolments[State.ASSESSED],
        (Enrolment, "clients:finish_training"): enrolments[State.TRAINING],
        (Enrolment, "clients:confirm_seat"): enrolments[State.WAITING],
        (Enrolment, "clients:skip_seat"): enrolments[State.WAITING],
        (Course, None): course,
        (Centre, None): centre,
    }
    objects.update(loan_world(centre))
    # An application reviewed in full, so that approving it can succeed.
    objects[(CentreApplication, "centres:application_approve")] = CentreApplicationFactory(
        state="under_review",
        licence_checked=True,
        lease_checked=True,
        certificates_checked=True,
        premises_suitable=True,
        site_visit_on=timezone.localdate(),
    )
    return World(centre, staff, manager, national, objects)


def user_for(name, world):
    """A user the access table lets use the page (None: anonymous)."""
    who = EXPECTED[name]
    if who == PUBLIC:
        return None
    if who == LOGGED_IN or who in (CENTRE, EVERYONE):
        return world.staff
    if who == MANAGER_ONLY:
        return world.manager
    if who == NATIONAL_ONLY:
        return world.national
    raise AssertionError(f"{name}: the fuzzer does not know which user to use for {who}")


def url_for(name, world):
    pattern = PATTERNS[name]
    if not pattern.pattern.converters:
        return reverse(name)
    model = pattern.callback.access_rule.model
    obj = world.objects.get((model, name)) or world.objects.get((model, None))
    if obj is None:
        obj = OBJECT_IN_CENTRE[model](world.centre)
    return reverse(name, kwargs={"pk": obj.pk})


def pages_for(world):
    """Every page the fuzzer can open, for every object of the world: where a view that
    only takes POST has its form (the reopen button of a closed client's page…)."""
    urls = []
    for name, pattern in PATTERNS.items():
        if name in NOT_FUZZED:
            continue
        if not pattern.pattern.converters:
            urls.append(reverse(name))
            continue
        urls.append(url_for(name, world))
        model = pattern.callback.access_rule.model
        for (kind, _), obj in world.objects.items():
            if kind is model:
                urls.append(reverse(name, kwargs={"pk": obj.pk}))
    return list(dict.fromkeys(urls))


def find_forms(name, world, client) -> list[PageForm]:
    """The forms that submit to URL `name`: on its own page, or else on the other pages."""
    url = url_for(name, world)
    found = [f for f in forms_on(client, url) if url_name_of(f.action) == name]
    if found:
        return found
    seen = set()
    for page in pages_for(world):
        for form in forms_on(client, page):
            if url_name_of(form.action) == name and form.action not in seen:
                seen.add(form.action)
                found.append(form)
    return found


def fuzz(form: PageForm, *, name, user, languages, examples=EXAMPLES_PER_FORM):
    """Submit `form` `examples` times with drawn values; each example rolled back."""
    today = timezone.localdate()
    pages = {}  # the form as each language's page shows it (every example starts alike)
    outcomes = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=bool(os.environ.get("CI")),
        suppress_health_check=list(HealthCheck),
        database=None if os.environ.get("CI") else settings.default.database,
    )
    @given(language=st.sampled_from(languages), data=st.data())
    def one_submission(language, data):
        client = BrowserClient()
        client.cookies["hami_language"] = language
        cache.clear()  # the public pages' throttling counters start afresh, as rows do
        with transaction.atomic():
            if user is not None:
                type(user)._base_manager.filter(pk=user.pk).update(language=language)
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            if language not in pages:
                pages[language] = next(
                    (f for f in forms_on(client, form.page) if f.action == form.action), form
                )
            page_form = pages[language]
            values = data.draw(submissions(page_form, today, language), label="form data")
            before = fingerprint()
            response = submit(client, page_form, values)
            assert_nothing_unescaped(response, f"{name} answer")
            assert response.status_code in (200, 302, 303), (
                f"{name}: {response.status_code} for {values!r}"
            )
            after = fingerprint()
            if response.status_code == 200:
                outcomes["form again"] += 1
                if os.environ.get("HAMI_FUZZ_DEBUG") and response.context:
                    page = response.context.get("form")
                    form_errors = page.errors if page is not None else None
                    shown = {k: str(v)[:40] for k, v in values.items() if k != "file"}
                    print(name, shown, form_errors.as_data() if form_errors else None)
                event("the form again, nothing saved")
                assert after == before, f"{name}: the form came back but rows changed"
            else:
                assert_stays_on_the_site(response)
                outcome = "redirect, saved" if after != before else "redirect, nothing saved"
                outcomes[outcome] += 1
                event(outcome)
                assert_saved_rows_are_valid(before, after)
                landing = client.get(urljoin(page_form.action, response["Location"]), follow=True)
                # 200, or a 404 when the form sent the user to an address of their own
                # making (the language switch's `next`).
                assert landing.status_code in (200, 404), (
                    f"{name}: the next page answers {landing.status_code}"
                )
                assert_nothing_unescaped(landing, f"{name} next page")
            transaction.set_rollback(True)

    one_submission()
    return outcomes


# -- the tests --------------------------------------------------------------------------------

FUZZED = sorted(n for n in PATTERNS if n in EXPECTED and n not in NOT_FUZZED)


@pytest.mark.django_db
@pytest.mark.parametrize("name", FUZZED)
def test_every_form_survives_hostile_input(name, world):
    user = user_for(name, world)
    client = BrowserClient()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    for form in find_forms(name, world, client):
        outcomes = fuzz(form, name=name, user=user, languages=["fa", "en"])
        print(f"\nfuzzed {name} ({form.method.upper()} {form.action}): {dict(outcomes)}")


@pytest.mark.django_db
def test_every_form_can_be_driven(world):
    """Every form on every page submits to a URL the fuzzer covers, with fields it knows
    how to fill. A new kind of field (a range, a colour…) needs a strategy above."""
    problems = []
    for user in (world.staff, world.manager, None):
        client = BrowserClient()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for page in [*pages_for(world), reverse("login")]:
            for form in forms_on(client, page):
                name = url_name_of(form.action)
                if name is None or (name not in FUZZED and name not in NOT_FUZZED):
                    problems.append(f"{page}: a form submits to {form.action}, which is not fuzzed")
                for entry in form.fields.values():
                    if entry.kind not in KNOWN_KINDS:
                        problems.append(f"{page}: field {entry.name!r} of kind {entry.kind!r}")
    assert not problems, problems


@pytest.mark.django_db
def test_the_fuzzer_finds_the_forms_it_must(world):
    """A few forms named by hand, so that a broken form reader cannot pass by finding
    nothing at all."""
    client = BrowserClient()
    client.force_login(world.staff, backend="django.contrib.auth.backends.ModelBackend")
    found = {
        name: [sorted(f.fields) for f in find_forms(name, world, client)]
        for name in (
            "clients:create",
            "clients:assess",
            "centres:course_create",
            "clients:list",
            "clients:reopen",
            "set_language",
        )
    }
    assert {"id_number", "birth_date", "first_name", "consent"} <= set(found["clients:create"][0])
    assert {"work_capacity", "preferred_trades", "review_on"} <= set(found["clients:assess"][0])
    assert {"title", "starts_on", "ends_on", "hours"} <= set(found["centres:course_create"][0])
    assert {"q", "sort"} <= set(found["clients:list"][0])
    assert found["clients:reopen"], "the reopen button is on the client's page"
    assert {"language", "next"} <= set(found["set_language"][0])
