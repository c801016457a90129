"""Employers' openings: the candidates each suggests and why, placing straight from a
suggestion, the places that never overfill, and the openings a client's page offers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients.models import Assessment, Enrolment, State, Track, WorkCapacity
from hami.errors import DomainError
from hami.jalali import format_jalali
from hami.text import to_persian_digits
from placements import selectors, services
from placements.models import Opening, Placement, PlacementKind, SkillLevel
from tests.factories import (
    CentreFactory,
    ClientFactory,
    CourseFactory,
    EmployerFactory,
    EnrolmentFactory,
    OpeningFactory,
    PlacementFactory,
    TradeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tailoring():
    return TradeFactory(code="tailoring-o", name_fa="خیاطی آزمایشی", name_en="Test tailoring")


@pytest.fixture
def baking():
    return TradeFactory(code="baking-o", name_fa="نانوایی آزمایشی", name_en="Test baking")


def candidate(centre, *, trade=None, city="تهران", finished_days_ago=10, prefers=(), state=None):
    """A client of `centre` trained in `trade` (or not trained: assessed), living in `city`,
    whose training ended `finished_days_ago` days ago, preferring `prefers`."""
    client = ClientFactory(centre=centre, city=city)
    if trade is not None:
        course = CourseFactory(centre=centre, trade=trade)
        enrolment = EnrolmentFactory(client=client, state=state or State.TRAINED, course=course)
        with scopes_disabled():
            Enrolment.objects.filter(pk=enrolment.pk).update(
                training_started_on=timezone.localdate() - timedelta(days=finished_days_ago + 90),
                training_finished_on=timezone.localdate() - timedelta(days=finished_days_ago),
            )
    else:
        enrolment = EnrolmentFactory(client=client, state=state or State.TRAINED)
    if prefers:
        with scopes_disabled():
            assessment = Assessment.objects.create(
                client=client,
                assessed_on=timezone.localdate() - timedelta(days=300),
                assessor=client.created_by,
                interested_in_work=True,
                work_capacity=WorkCapacity.READY,
                recommended_track=Track.WAGE_JOB,
            )
            assessment.preferred_trades.set(prefers)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=timezone.now() - timedelta(days=400)
        )
        enrolment.refresh_from_db()
    return enrolment


def suggested(opening, staff):
    with scope_for(staff):
        return selectors.suggestions(opening)


# -- suggestions --------------------------------------------------------------------------


def test_the_best_candidates_come_first(centre, staff, tailoring, baking):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring, city="تهران")
    prefers_only = candidate(centre, trade=baking, prefers=[tailoring], finished_days_ago=300)
    trained_elsewhere = candidate(centre, trade=tailoring, city="کرج", finished_days_ago=200)
    trained_here_recent = candidate(centre, trade=tailoring, finished_days_ago=5)
    trained_here_long = candidate(centre, trade=tailoring, finished_days_ago=90)
    candidate(centre, trade=baking)  # another trade, no preference: not suggested

    order = [s.enrolment.pk for s in suggested(opening, staff)]

    assert order == [
        trained_here_long.pk,  # trained in the trade, lives in the city, waited longest
        trained_here_recent.pk,
        trained_elsewhere.pk,
        prefers_only.pk,
    ]


def test_each_suggestion_says_why(centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring, city="تهران")
    enrolment = candidate(centre, trade=tailoring, prefers=[tailoring], finished_days_ago=45)

    with translation.override("en"):
        (suggestion,) = suggested(opening, staff)
        reasons = suggestion.reasons

    assert reasons == [
        f"Trained in Test tailoring ({enrolment.course}).",
        "Named Test tailoring among the trades they prefer.",
        "Lives in تهران.",
        "Waiting for work for 45 days since the training ended.",
    ]


def test_clients_looking_for_work_again_are_suggested_too(centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    again = candidate(centre, trade=tailoring, state=State.SEEKING_WORK)
    PlacementFactory(
        enrolment=again,
        starts_on=timezone.localdate() - timedelta(days=100),
        ended_on=timezone.localdate() - timedelta(days=12),
        end_reason="بیکار شد",
    )
    with translation.override("en"):
        (suggestion,) = suggested(opening, staff)
    assert suggestion.enrolment.pk == again.pk
    assert "Looking for work again for 12 days." in suggestion.reasons


@pytest.mark.parametrize(
    "state", [State.PLACED, State.TRAINING, State.WITHDRAWN, State.SUSTAINED, State.INTAKE]
)
def test_clients_in_work_training_or_gone_are_not_suggested(state, centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=state)
    if enrolment.course:
        with scopes_disabled():
            enrolment.course.trade = tailoring
            enrolment.course.save()
    assert suggested(opening, staff) == []


def test_another_centres_clients_are_not_suggested(centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    candidate(CentreFactory(code="OTH-11"), trade=tailoring)
    assert suggested(opening, staff) == []


def test_the_opening_page_lists_the_suggestions_with_a_place_button(
    login, staff, centre, tailoring
):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    enrolment = candidate(centre, trade=tailoring)
    html = login(staff).get(reverse("placements:opening_detail", args=[opening.pk])).content
    place = reverse("placements:create", args=[enrolment.pk]) + f"?opening={opening.pk}"
    assert place in html.decode()


def test_the_national_office_sees_suggestions_but_no_place_button(
    login, national, centre, tailoring
):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    enrolment = candidate(centre, trade=tailoring)
    html = login(national).get(reverse("placements:opening_detail", args=[opening.pk])).content
    html = html.decode()
    assert str(enrolment.client) in html
    assert reverse("placements:create", args=[enrolment.pk]) not in html


# -- placing from a suggestion ---------------------------------------------------------------


def test_the_placement_form_opened_from_a_suggestion_is_filled_from_the_opening(
    login, staff, centre, tailoring
):
    opening = OpeningFactory(
        employer=EmployerFactory(centre=centre),
        trade=tailoring,
        title="چرخ‌کار لباس",
        wage_offered=150_000_000,
        skill_level=SkillLevel.TECHNICAL,
    )
    enrolment = candidate(centre, trade=tailoring)
    form = (
        login(staff)
        .get(reverse("placements:create", args=[enrolment.pk]), {"opening": opening.pk})
        .context["form"]
    )
    assert form["opening"].value() == opening.pk
    assert form["employer"].value() == opening.employer_id
    assert form["job_title"].value() == "چرخ‌کار لباس"
    assert form["skill_level"].value() == SkillLevel.TECHNICAL
    assert form["monthly_wage"].value() == "15000000"  # tomans, as typed


def place_into(opening, enrolment, staff, **overrides):
    with scope_for(staff):
        return services.place(
            enrolment=enrolment,
            by=staff,
            opening=opening,
            **{
                "kind": PlacementKind.WAGE_JOB,
                "job_title": opening.title,
                "skill_level": opening.skill_level,
                "monthly_wage": opening.wage_offered,
                "contract_type": "fixed_term",
                "starts_on": timezone.localdate(),
            }
            | overrides,
        )


def test_a_placement_fills_one_place_and_the_last_one_closes_the_opening(centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring, places=2)
    first, second, third = (candidate(centre, trade=tailoring) for _ in range(3))

    placement = place_into(opening, first, staff)
    opening.refresh_from_db()
    assert (opening.filled, opening.closed_at) == (1, None)
    assert (placement.opening, placement.employer) == (opening, opening.employer)

    place_into(opening, second, staff)
    opening.refresh_from_db()
    assert opening.filled == 2
    assert opening.closed_at is not None

    with translation.override("en"), pytest.raises(DomainError, match="closed"):
        place_into(opening, third, staff)
    opening.refresh_from_db()
    assert opening.filled == 2
    with scopes_disabled():
        assert not Placement.objects.filter(enrolment=third).exists()
    third.refresh_from_db()
    assert third.state == State.TRAINED


def test_placing_into_a_full_opening_is_refused(centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring, places=1)
    with scopes_disabled():
        Opening.objects.filter(pk=opening.pk).update(filled=1)
    with translation.override("en"), pytest.raises(DomainError, match="full"):
        place_into(opening, candidate(centre, trade=tailoring), staff)


@pytest.mark.parametrize("how", ["closed-by-hand", "past-its-date"])
def test_placing_into_a_closed_opening_is_refused(how, centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    with scopes_disabled():
        if how == "closed-by-hand":
            Opening.objects.filter(pk=opening.pk).update(closed_at=timezone.now())
        else:
            Opening.objects.filter(pk=opening.pk).update(
                open_until=timezone.localdate() - timedelta(days=1)
            )
    with translation.override("en"), pytest.raises(DomainError, match="closed"):
        place_into(opening, candidate(centre, trade=tailoring), staff)
    opening.refresh_from_db()
    assert opening.filled == 0


def test_an_opening_with_another_employer_than_the_one_chosen_is_refused(centre, staff, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    with translation.override("en"), pytest.raises(DomainError, match="another employer"):
        place_into(
            opening,
            candidate(centre, trade=tailoring),
            staff,
            employer=EmployerFactory(centre=centre),
        )


def test_staff_place_from_a_suggestion_through_the_form(login, staff, centre, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring, places=1)
    enrolment = candidate(centre, trade=tailoring)
    response = login(staff).post(
        reverse("placements:create", args=[enrolment.pk]),
        {
            "version": enrolment.version,
            "opening": opening.pk,
            "kind": "wage_job",
            "starts_on": to_persian_digits(format_jalali(timezone.localdate())),
            "employer": opening.employer_id,
            "job_title": opening.title,
            "skill_level": opening.skill_level,
            "contract_type": "permanent",
            "monthly_wage": "15,000,000",
        },
    )
    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.filled == 1
    assert opening.closed_at is not None
    with scopes_disabled():
        assert Placement.objects.get(enrolment=enrolment).opening == opening


# -- the client page offers matching openings -------------------------------------------------


def test_the_client_page_shows_the_open_openings_in_the_clients_trade(
    login, staff, centre, tailoring, baking
):
    employer = EmployerFactory(centre=centre)
    matching = OpeningFactory(employer=employer, trade=tailoring, title="چرخ‌کار آستین")
    OpeningFactory(employer=employer, trade=baking, title="شاطر نانوایی")
    closed = OpeningFactory(employer=employer, trade=tailoring, title="اتوکار بسته")
    with scopes_disabled():
        Opening.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    enrolment = candidate(centre, trade=tailoring)

    html = login(staff).get(reverse("clients:detail", args=[enrolment.client_id])).content.decode()

    assert "چرخ‌کار آستین" in html
    assert reverse("placements:create", args=[enrolment.pk]) + f"?opening={matching.pk}" in html
    assert "شاطر نانوایی" not in html
    assert "اتوکار بسته" not in html


# -- the opening pages --------------------------------------------------------------------------


def opening_fields(employer, trade, **overrides):
    return {
        "employer": employer.pk,
        "trade": trade.pk,
        "title": "چرخ‌کار",
        "city": "تهران",
        "places": "۳",
        "wage_offered": "۱۵٬۰۰۰٬۰۰۰",
        "skill_level": "simple",
        "open_until": to_persian_digits(format_jalali(timezone.localdate() + timedelta(days=20))),
    } | overrides


def test_staff_add_an_opening_of_one_of_their_employers(login, staff, centre, tailoring):
    employer = EmployerFactory(centre=centre)
    response = login(staff).post(
        reverse("placements:opening_create"), opening_fields(employer, tailoring)
    )
    with scopes_disabled():
        opening = Opening.objects.get()
    assert response.url == reverse("placements:opening_detail", args=[opening.pk])
    assert (opening.places, opening.wage_offered, opening.centre) == (3, 150_000_000, centre)


@pytest.mark.parametrize("wage", ["0", "-1"])
def test_an_opening_wage_of_zero_or_below_is_refused(wage, login, staff, centre, tailoring):
    response = login(staff).post(
        reverse("placements:opening_create"),
        opening_fields(EmployerFactory(centre=centre), tailoring, wage_offered=wage),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["wage_offered"]


def test_an_opening_of_another_centres_employer_cannot_be_added(login, staff, centre, tailoring):
    elsewhere = EmployerFactory(centre=CentreFactory(code="OTH-12"))
    response = login(staff).post(
        reverse("placements:opening_create"), opening_fields(elsewhere, tailoring)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["employer"]


def test_an_opening_cannot_have_fewer_places_than_it_filled(login, staff, centre, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring, places=3)
    with scopes_disabled():
        Opening.objects.filter(pk=opening.pk).update(filled=2)
    response = login(staff).post(
        reverse("placements:opening_edit", args=[opening.pk]),
        opening_fields(opening.employer, tailoring, places="1"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["places"]


def test_closing_an_opening_stops_its_suggestions(login, staff, centre, tailoring):
    opening = OpeningFactory(employer=EmployerFactory(centre=centre), trade=tailoring)
    candidate(centre, trade=tailoring)
    client = login(staff)
    client.post(reverse("placements:opening_close", args=[opening.pk]))
    page = client.get(reverse("placements:opening_detail", args=[opening.pk]))
    assert page.context["suggestions"] == []
    opening.refresh_from_db()
    assert opening.closed_at is not None
