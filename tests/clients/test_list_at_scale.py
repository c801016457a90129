"""The client and loan lists at any size: the same few queries for 10 centres and for 200,
pages that follow one another without a repeat or a gap (keyset pages), a status column
that follows the journey (the client's current enrolment), and the search that finds the
same clients as before its indexes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients import services
from clients.models import (
    Category,
    Client,
    Education,
    Enrolment,
    Gender,
    State,
    Track,
    WorkCapacity,
)
from clients.selectors import CLIENT_ORDERINGS
from hami.pagination import COUNT_LIMIT, cursor_after
from hami.text import to_persian_digits
from loans.models import LoanApplication
from loans.models import State as LoanState
from placements import services as placement_services
from placements.models import Employer
from tests.factories import (
    CentreFactory,
    ClientFactory,
    CourseFactory,
    EmployerFactory,
    EnrolmentFactory,
    LoanApplicationFactory,
    PlacementFactory,
    national_code,
)

pytestmark = pytest.mark.django_db


def shown(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


def status_shown(browser, client: Client) -> str:
    """The status the national office's client list shows for `client`."""
    page = browser.get(reverse("clients:list"), {"q": client.welfare_file_number})
    [row] = page.context["page"].object_list
    return row.current_state


# -- queries: the same for any size --------------------------------------------------------


def network(centres: int):
    """`centres` centres, each with a trainee, a client at intake who withdrew once and
    came back, and a loan application."""
    for n in range(centres):
        centre = CentreFactory(code=f"C{n:03d}")
        course = CourseFactory(centre=centre)
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING, course=course)
        returning = ClientFactory(centre=centre, last_name="کریمی")
        EnrolmentFactory(
            client=returning,
            state=State.WITHDRAWN,
            opened_at=timezone.now() - timedelta(days=300),
        )
        EnrolmentFactory(client=returning, state=State.INTAKE)
        LoanApplicationFactory(plan__client=returning, state=LoanState.SUBMITTED)


# Session, user, membership, groups (the national office), the page's bounded count and its
# rows (each with its centre, state and course, joined), the trade and centre filter
# choices (the national office picks a course once a centre is chosen).
QUERIES_ON_NATIONAL_CLIENT_LIST = 8
# Session, user, membership, groups, the bounded count and the rows, the product and centre
# filter choices.
QUERIES_ON_NATIONAL_LOAN_LIST = 8


@pytest.mark.parametrize("centres", [10, 200])
def test_client_list_takes_the_same_queries_for_10_centres_and_for_200(
    login, national, centres, django_assert_num_queries
):
    network(centres)
    browser = login(national)
    url = reverse("clients:list")
    first = browser.get(url, {"size": 25}).context["page"].object_list[0]
    with scopes_disabled():
        after = cursor_after(Client.objects.order_by(*CLIENT_ORDERINGS["name"]), first)
    asks = [
        {"size": 25},
        {"size": 100},
        {"size": 25, "after": after},
        {"size": 100, "state": State.TRAINING},
        {"size": 25, "q": "كريمي"},
        {"size": 25, "sort": "-registered"},
    ]
    for ask in asks:
        with django_assert_num_queries(QUERIES_ON_NATIONAL_CLIENT_LIST):
            response = browser.get(url, ask)
        assert response.status_code == 200
    assert len(shown(browser.get(url, {"size": 100}))) == min(100, 2 * centres)


@pytest.mark.parametrize("centres", [10, 200])
def test_loan_list_takes_the_same_queries_for_10_centres_and_for_200(
    login, national, centres, django_assert_num_queries
):
    network(centres)
    browser = login(national)
    url = reverse("loans:list")
    first = browser.get(url).context["page"].object_list[0]
    with scopes_disabled():
        after = cursor_after(LoanApplication.objects.order_by("-created_at", "-pk"), first)
    for ask in ({"size": 25}, {"size": 100}, {"after": after}, {"state": "submitted"}):
        with django_assert_num_queries(QUERIES_ON_NATIONAL_LOAN_LIST):
            assert browser.get(url, ask).status_code == 200


# Session, user, membership, groups, the bounded count and the rows (each employer with
# its placements counted in a subquery of its own).
QUERIES_ON_NATIONAL_EMPLOYER_LIST = 6


@pytest.mark.parametrize("centres", [10, 200])
def test_employer_list_takes_the_same_queries_for_10_centres_and_for_200(
    login, national, centres, django_assert_num_queries
):
    for n in range(centres):
        employer = EmployerFactory(centre=CentreFactory(code=f"E{n:03d}"))
        PlacementFactory(
            employer=employer,
            enrolment=EnrolmentFactory(
                client=ClientFactory(centre=employer.centre), state=State.PLACED
            ),
        )
    # At the first employer, a second client whose job ended.
    with scopes_disabled():
        first = Employer.objects.get(centre__code="E000")
    PlacementFactory(
        employer=first,
        enrolment=EnrolmentFactory(
            client=ClientFactory(centre=first.centre), state=State.SEEKING_WORK
        ),
        ended_on=timezone.localdate(),
        end_reason="تعدیل نیرو",
    )
    browser = login(national)
    url = reverse("placements:employers")
    rows = browser.get(url, {"size": 100}).context["page"].object_list
    counts = {row.centre.code: (row.placed, row.current) for row in rows}
    assert counts.pop("E000") == (2, 1)
    assert set(counts.values()) == {(1, 1)}
    with scopes_disabled():
        after = cursor_after(Employer.objects.order_by("name", "pk"), rows[0])
    for ask in ({"size": 25}, {"size": 100}, {"after": after}, {"q": "نمونه"}):
        with django_assert_num_queries(QUERIES_ON_NATIONAL_EMPLOYER_LIST):
            assert browser.get(url, ask).status_code == 200


# -- pages ----------------------------------------------------------------------------------


@pytest.fixture
def sixty(centre):
    """60 clients of one centre: three last names, two first names, ten birth dates, so
    every ordering has ties for the primary key to break."""
    clients = []
    for n in range(60):
        client = ClientFactory(
            centre=centre,
            last_name=["احمدی", "کریمی", "رضایی"][n % 3],
            first_name=["زهرا", "علی"][n % 2],
            birth_date=date(1990, 1, 1) + timedelta(days=n % 10),
        )
        EnrolmentFactory(client=client)
        clients.append(client)
    return clients


def walk(browser, ask: dict) -> list[list[int]]:
    """Every page from the first, following "Next"."""
    pages, cursor = [], None
    while True:
        response = browser.get(
            reverse("clients:list"), {**ask, **({"after": cursor} if cursor else {})}
        )
        pages.append(shown(response))
        cursor = response.context["page"].next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("name", lambda c: (c.last_name, c.first_name, c.pk)),
        ("-name", lambda c: (c.last_name, c.first_name, c.pk)),
        # Youngest first, and among the same birth date by name (a mixed direction).
        ("-birth_date", lambda c: (-c.birth_date.toordinal(), c.last_name, c.pk)),
        ("-registered", lambda c: (-c.created_at.timestamp(), -c.pk)),
    ],
)
def test_following_next_shows_every_client_once_in_order(login, staff, sixty, sort, key):
    expected = [c.pk for c in sorted(sixty, key=key)]
    if sort == "-name":
        expected.reverse()
    pages = walk(login(staff), {"sort": sort})
    assert [len(page) for page in pages] == [25, 25, 10]
    assert [pk for page in pages for pk in page] == expected


def test_previous_goes_back_to_the_same_page(login, staff, sixty):
    browser = login(staff)
    url = reverse("clients:list")
    first = browser.get(url)
    second = browser.get(url, {"after": first.context["page"].next_cursor})
    third = browser.get(url, {"after": second.context["page"].next_cursor})
    back = browser.get(url, {"before": third.context["page"].previous_cursor})
    assert shown(back) == shown(second)
    back = browser.get(url, {"before": back.context["page"].previous_cursor})
    assert shown(back) == shown(first)
    assert back.context["page"].previous_cursor is None  # the first page has no "Previous"
    assert second.context["page"].count == 60
    assert third.context["page"].next_cursor is None  # the last page has no "Next"


def test_a_broken_cursor_shows_the_first_page(login, staff, sixty):
    browser = login(staff)
    url = reverse("clients:list")
    first = shown(browser.get(url))
    for cursor in ("nonsense", "W10", "WyJ4IiwgMV0", "!!", "WzEsMiwzXQ"):
        assert shown(browser.get(url, {"after": cursor})) == first


def test_a_count_past_the_limit_says_more_than(login, staff, centre, monkeypatch):
    monkeypatch.setattr("hami.pagination.COUNT_LIMIT", 3)
    for _ in range(5):
        EnrolmentFactory(client=ClientFactory(centre=centre))
    page = login(staff).get(reverse("clients:list"))
    assert page.context["page"].count == 3
    assert not page.context["page"].count_is_exact
    assert "بیش از ۳ مددجو یافت شد" in page.content.decode()
    assert COUNT_LIMIT == 10_000


# -- the status column follows the journey -----------------------------------------------


def register(centre, staff, **fields):
    with scope_for(staff):
        return services.register_client(
            centre=centre,
            by=staff,
            id_number=national_code(4242),
            welfare_file_number="WF-JOURNEY-1",
            first_name="مریم",
            last_name="کاظمی",
            gender=Gender.FEMALE,
            birth_date=date(1990, 5, 1),
            province=centre.province,
            city="تهران",
            category=Category.FEMALE_HEAD,
            education=Education.DIPLOMA,
            **fields,
        )


def assess(enrolment, staff):
    with scope_for(staff):
        services.record_assessment(
            enrolment=enrolment,
            by=staff,
            assessed_on=timezone.localdate(),
            interested_in_work=True,
            work_capacity=WorkCapacity.READY,
            recommended_track=Track.OWN_BUSINESS,
        )


def current(client) -> Enrolment:
    with scopes_disabled():
        return Client.objects.get(pk=client.pk).current_enrolment


def test_the_list_shows_the_current_enrolment_through_every_move(login, national, staff, centre):
    browser = login(national)
    course = CourseFactory(centre=centre)
    client = register(centre, staff)
    first = current(client)
    assert status_shown(browser, client) == "intake"

    assess(first, staff)
    assert status_shown(browser, client) == "assessed"
    with scope_for(staff):
        services.request_training(enrolment=first, course=course, by=staff)
    assert status_shown(browser, client) == "training"
    with scope_for(staff):
        services.withdraw(enrolment=first, by=staff, reason="نقل مکان")
    assert status_shown(browser, client) == "withdrawn"
    assert current(client) == first
    # The status filter reads the same state.
    url = reverse("clients:list")
    assert shown(browser.get(url, {"state": "withdrawn"})) == [client.pk]
    assert shown(browser.get(url, {"state": "training"})) == []

    # Enrolled again: the new journey is the one shown, the old one stays withdrawn.
    with scope_for(staff):
        second = services.open_enrolment(client=client, by=staff)
    assert current(client) == second != first
    assert status_shown(browser, client) == "intake"
    assess(second, staff)
    with scope_for(staff):
        services.mark_not_ready(
            enrolment=second,
            by=staff,
            reason="بیماری",
            review_on=timezone.localdate() + timedelta(days=20),
        )
    assert status_shown(browser, client) == "not_ready"
    assess(second, staff)
    with scope_for(staff):
        placement_services.place(
            enrolment=second,
            by=staff,
            kind="self_employment",
            starts_on=timezone.localdate(),
            business_name="خیاطی مریم",
            premises="home",
            activity="دوخت لباس",
        )
    assert status_shown(browser, client) == "placed"
    with scopes_disabled():
        assert Enrolment.objects.get(pk=first.pk).state == State.WITHDRAWN
        assert Client.objects.get(pk=client.pk).current_enrolment_id == second.pk


def test_an_imported_client_shows_at_intake(login, national, staff, centre):
    rows = [
        {
            "id_number": national_code(5000 + n),
            "welfare_file_number": f"WF-IMP-{n}",
            "first_name": "رضا",
            "last_name": "نوری",
            "gender": Gender.MALE,
            "birth_date": date(1985, 1, 1),
            "province": centre.province,
            "city": "تهران",
            "category": Category.OTHER,
            "education": Education.PRIMARY,
        }
        for n in range(3)
    ]
    other = ClientFactory(centre=centre)
    EnrolmentFactory(client=other, state=State.TRAINED)
    with scope_for(staff):
        imported = services.register_clients(centre=centre, by=staff, rows=rows)
    browser = login(national)
    for client in imported:
        assert status_shown(browser, client) == "intake"
        assert current(client).client_id == client.pk
    assert status_shown(browser, other) == "trained"  # the others are left as they were


# -- the search finds what it found before its indexes -------------------------------------


def test_search_by_name_code_and_file_number(login, national, centre, other_centre):
    kazemi = ClientFactory(
        centre=centre,
        first_name="کاوه",
        last_name="یکتا",
        id_number=national_code(77),
        welfare_file_number="THR-01-00077",
    )
    ClientFactory(centre=other_centre, first_name="یاسر", last_name="کریمی")
    browser = login(national)

    def found(text):
        return shown(browser.get(reverse("clients:list"), {"q": text}))

    assert found("كاوه") == [kazemi.pk]  # Arabic kaf
    assert found("يكتا") == [kazemi.pk]  # Arabic yeh and kaf
    assert found("کاوه یکتا") == [kazemi.pk]
    assert found("اوه") == [kazemi.pk]  # inside a name
    assert found(national_code(77)[:6]) == [kazemi.pk]  # a code's beginning
    assert found(to_persian_digits(national_code(77))) == [kazemi.pk]
    assert found("thr-01-۰۰۰۷۷") == [kazemi.pk]
    assert found(national_code(77)[3:]) == []  # a code's middle is not its beginning
    assert found("THR-01-0007") == []  # a file number only whole
    assert found("کریمی کاوه") == []  # every word must match
