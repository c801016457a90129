"""The placement pages as staff use them: placing from the client page, the follow-up
worklist and form, the employer list, its duplicates and what came of its placements."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Enrolment, State
from hami.jalali import add_months, format_jalali
from hami.text import to_persian_digits
from placements.models import (
    Employer,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Placement,
    PlacementKind,
)
from tests.factories import (
    CentreFactory,
    ClientFactory,
    EmployerFactory,
    EnrolmentFactory,
    PlacementFactory,
    placed_with_first_follow_up_due,
    valid_company_id,
)

pytestmark = pytest.mark.django_db


def persian_date(day):
    return to_persian_digits(format_jalali(day))


def follow_up_of(placement, months):
    with scopes_disabled():
        return placement.follow_ups.get(months_after=months)


def trained(centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINED)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=timezone.now() - timedelta(days=120)
        )
        enrolment.refresh_from_db()
    return enrolment


# -- placing --------------------------------------------------------------------------------


def test_the_client_page_offers_to_place_a_trained_client(login, staff, centre):
    enrolment = trained(centre)
    page = login(staff).get(reverse("clients:detail", args=[enrolment.client_id]))
    assert reverse("placements:create", args=[enrolment.pk]) in page.content.decode()


def test_the_client_page_does_not_offer_to_place_a_client_at_intake(login, staff, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.INTAKE)
    page = login(staff).get(reverse("clients:detail", args=[enrolment.client_id]))
    assert reverse("placements:create", args=[enrolment.pk]) not in page.content.decode()


def test_the_national_office_is_not_offered_to_place(login, national, centre):
    enrolment = trained(centre)
    page = login(national).get(reverse("clients:detail", args=[enrolment.client_id]))
    assert reverse("placements:create", args=[enrolment.pk]) not in page.content.decode()


def test_staff_place_a_trained_client_in_a_wage_job_and_see_four_jalali_dates(login, staff, centre):
    enrolment = trained(centre)
    employer = EmployerFactory(centre=centre, name="کارگاه پوشاک نگین")
    today = timezone.localdate()
    client = login(staff)

    response = client.post(
        reverse("placements:create", args=[enrolment.pk]),
        {
            "version": enrolment.version,
            "kind": "wage_job",
            "starts_on": persian_date(today),
            "employer": employer.pk,
            "job_title": "چرخ‌کار",
            "skill_level": "simple",
            "contract_type": "fixed_term",
            "monthly_wage": "۱۲٬۰۰۰٬۰۰۰",
        },
        follow=True,
    )

    with scopes_disabled():
        placement = Placement.objects.get(enrolment=enrolment)
        assert placement.monthly_wage == 120_000_000  # 12 million tomans, in rials
        assert placement.employer == employer
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("placements:detail", args=[placement.pk])
    for months in (1, 3, 6, 12):
        assert persian_date(add_months(today, months)) in html


def test_staff_place_a_client_in_their_own_business(login, staff, centre):
    enrolment = trained(centre)
    response = login(staff).post(
        reverse("placements:create", args=[enrolment.pk]),
        {
            "version": enrolment.version,
            "kind": "self_employment",
            "starts_on": persian_date(timezone.localdate()),
            "business_name": "خیاطی خانگی زهرا",
            "premises": "home",
            "activity": "دوخت مانتو",
            # A wage job's fields, filled and then switched away from: not saved.
            "job_title": "چرخ‌کار",
            "monthly_wage": "-5",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        placement = Placement.objects.get(enrolment=enrolment)
    assert (placement.kind, placement.business_name, placement.job_title) == (
        PlacementKind.SELF_EMPLOYMENT,
        "خیاطی خانگی زهرا",
        "",
    )
    assert placement.monthly_wage is None


def test_a_wage_of_zero_is_refused_on_the_form_and_nothing_is_saved(login, staff, centre):
    enrolment = trained(centre)
    response = login(staff).post(
        reverse("placements:create", args=[enrolment.pk]),
        {
            "version": enrolment.version,
            "kind": "wage_job",
            "starts_on": persian_date(timezone.localdate()),
            "employer": EmployerFactory(centre=centre).pk,
            "job_title": "چرخ‌کار",
            "skill_level": "simple",
            "contract_type": "fixed_term",
            "monthly_wage": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["monthly_wage"]
    with scopes_disabled():
        assert not Placement.objects.exists()


def test_the_form_does_not_list_another_centres_employers(login, staff, centre):
    enrolment = trained(centre)
    mine = EmployerFactory(centre=centre, name="کارفرمای مرکز ما")
    EmployerFactory(centre=CentreFactory(code="OTH-02"), name="کارفرمای مرکز دیگر")
    html = login(staff).get(reverse("placements:create", args=[enrolment.pk])).content.decode()
    assert mine.name in html
    assert "کارفرمای مرکز دیگر" not in html


def test_placing_a_client_at_intake_is_refused_with_a_message(login, staff, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.INTAKE)
    response = login(staff).get(reverse("placements:create", args=[enrolment.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("clients:detail", args=[enrolment.client_id])
    assert "به‌کارگماری" in response.content.decode()


def test_the_client_page_shows_the_placement_and_the_recorded_calls_on_the_timeline(
    login, staff, centre
):
    placement = placed_with_first_follow_up_due(centre, by=staff)
    first = follow_up_of(placement, 1)
    client = login(staff)
    client.post(
        reverse("follow_ups:record", args=[first.pk]),
        {"contacted_on": persian_date(timezone.localdate()), "outcome": "same_job"},
    )
    html = client.get(reverse("clients:detail", args=[placement.enrolment.client_id])).content
    html = html.decode()
    assert "به‌کارگماری در اشتغال مزدبگیری" in html
    assert "پیگیری ۱ ماهه" in html
    assert "در همان شغل" in html


# -- follow-ups -------------------------------------------------------------------------------


def test_the_worklist_sorts_calls_into_today_overdue_and_this_week(login, staff, centre):
    due_today = placed_with_first_follow_up_due(centre, by=staff)
    late = placed_with_first_follow_up_due(centre, by=staff, days_ago=10)  # still in its window
    overdue = placed_with_first_follow_up_due(centre, by=staff, days_ago=15)
    soon = placed_with_first_follow_up_due(centre, by=staff, days_ago=-5)
    later = placed_with_first_follow_up_due(centre, by=staff, days_ago=-9)
    other_centre = placed_with_first_follow_up_due(CentreFactory(code="OTH-03"))

    worklist = login(staff).get(reverse("follow_ups:worklist")).context["worklist"]

    def clients(rows):
        return {row.placement_id for row in rows}

    assert clients(worklist.today) == {due_today.pk, late.pk}
    assert clients(worklist.overdue) == {overdue.pk}
    assert clients(worklist.this_week) == {soon.pk}
    everything = clients(worklist.today + worklist.overdue + worklist.this_week)
    assert later.pk not in everything
    assert other_centre.pk not in everything


def test_the_worklist_lists_clients_supported_towards_a_new_placement(login, staff, centre):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.SEEKING_WORK)
    html = login(staff).get(reverse("follow_ups:worklist")).content.decode()
    assert reverse("placements:create", args=[enrolment.pk]) in html


def test_staff_record_a_call_and_it_leaves_the_worklist(login, staff, centre):
    placement = placed_with_first_follow_up_due(centre, by=staff)
    first = follow_up_of(placement, 1)
    client = login(staff)

    response = client.post(
        reverse("follow_ups:record", args=[first.pk]),
        {
            "contacted_on": persian_date(timezone.localdate()),
            "outcome": "same_job",
            "monthly_income": "۱۵٬۰۰۰٬۰۰۰",
            "employer_satisfaction": "4",
            "client_satisfaction": "5",
            "notes": "راضی است",
        },
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.status, first.outcome, first.monthly_income) == (
        FollowUpStatus.DONE,
        Outcome.SAME_JOB,
        150_000_000,
    )
    assert first.recorded_by == staff
    assert client.get(reverse("follow_ups:worklist")).context["worklist"].today == []


def test_a_call_outside_the_window_without_a_reason_is_refused_next_to_the_field(
    login, staff, centre
):
    placement = placed_with_first_follow_up_due(centre, by=staff)
    third = follow_up_of(placement, 3)  # due in two months
    response = login(staff).post(
        reverse("follow_ups:record", args=[third.pk]),
        {"contacted_on": persian_date(timezone.localdate()), "outcome": "same_job"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["outside_window_reason"]
    third.refresh_from_db()
    assert third.status != FollowUpStatus.DONE


def test_a_recorded_call_shows_its_record_and_takes_no_second_one(login, staff, centre):
    placement = placed_with_first_follow_up_due(centre, by=staff)
    first = follow_up_of(placement, 1)
    client = login(staff)
    url = reverse("follow_ups:record", args=[first.pk])
    today = persian_date(timezone.localdate())
    client.post(url, {"contacted_on": today, "outcome": "same_job", "notes": "اولی"})

    page = client.get(url)
    assert page.context["form"] is None
    assert "اولی" in page.content.decode()
    response = client.post(url, {"contacted_on": today, "outcome": "unemployed"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.outcome == Outcome.SAME_JOB


# -- employers -------------------------------------------------------------------------------


def employer_fields(centre, **overrides):
    return {
        "name": "شرکت نان‌آوران",
        "kind": "company",
        "sector": "نان صنعتی",
        "province": centre.province_id,
        "city": "تهران",
        "contact_person": "خانم کریمی",
        "phone": "۰۲۱-۶۶۵۵۴۴۳۳",
        "company_id": "",
    } | overrides


def test_staff_add_an_employer_to_their_centres_list(login, staff, centre):
    company_id = valid_company_id(1)
    response = login(staff).post(
        reverse("placements:employer_create"),
        employer_fields(centre, company_id=to_persian_digits(company_id)),
    )
    with scopes_disabled():
        employer = Employer.objects.get()
    assert response.url == reverse("placements:employer_detail", args=[employer.pk])
    assert (employer.centre, employer.company_id, employer.phone, employer.created_by) == (
        centre,
        company_id,
        "02166554433",
        staff,
    )


@pytest.mark.parametrize(
    "again",
    [
        {"name": "شركت نان آوران"},  # Arabic kaf, a space for the half-space
        {"name": "شرکت  نان‌آوران "},
        {"name": "Another name", "company_id": "SAME"},
    ],
    ids=["same-name-written-otherwise", "extra-spaces", "same-company-id"],
)
def test_an_employer_already_on_the_list_is_refused_naming_it(again, login, staff, centre):
    company_id = valid_company_id(2)
    EmployerFactory(centre=centre, name="شرکت نان‌آوران", city="تهران", company_id=company_id)
    if again.get("company_id") == "SAME":
        again = again | {"company_id": company_id}
    response = login(staff).post(
        reverse("placements:employer_create"), employer_fields(centre, **again)
    )
    assert response.status_code == 200
    assert "«شرکت نان‌آوران»" in response.content.decode()
    with scopes_disabled():
        assert Employer.objects.count() == 1


def test_the_same_name_in_another_city_is_another_employer(login, staff, centre):
    EmployerFactory(centre=centre, name="شرکت نان‌آوران", city="تهران")
    response = login(staff).post(
        reverse("placements:employer_create"), employer_fields(centre, city="کرج")
    )
    assert response.status_code == 302


def test_another_centre_keeps_its_own_list(login, staff, centre):
    EmployerFactory(centre=CentreFactory(code="OTH-04"), name="شرکت نان‌آوران", city="تهران")
    response = login(staff).post(reverse("placements:employer_create"), employer_fields(centre))
    assert response.status_code == 302


def test_a_company_id_with_a_wrong_check_digit_is_refused(login, staff, centre):
    good = valid_company_id(3)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = login(staff).post(
        reverse("placements:employer_create"), employer_fields(centre, company_id=wrong)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["company_id"]


def test_the_employer_list_searches_by_name_and_company_id(login, staff, centre):
    bakery = EmployerFactory(centre=centre, name="شرکت نان‌آوران", company_id=valid_company_id(4))
    EmployerFactory(centre=centre, name="کارگاه خیاطی مهر")
    client = login(staff)

    def found(query):
        return {
            e.pk
            for e in client.get(reverse("placements:employers"), {"q": query}).context["employers"]
        }

    assert found("نان آوران") == {bakery.pk}
    assert found("نان‌آوران") == {bakery.pk}
    assert found(valid_company_id(4)[:6]) == {bakery.pk}


def test_the_employer_page_shows_who_still_works_there_at_6_and_12_months(login, staff, centre):
    employer = EmployerFactory(centre=centre)
    today = timezone.localdate()
    started = add_months(today, -13)
    outcomes = {
        # placement: outcome at 6 months, at 12 months
        "stayed": (Outcome.SAME_JOB, Outcome.SAME_JOB),
        "moved-on": (Outcome.SAME_JOB, Outcome.ANOTHER_JOB),
        "left": (Outcome.UNEMPLOYED, None),
    }
    for index, (at_six, at_twelve) in enumerate(outcomes.values()):
        placement = PlacementFactory(
            enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED),
            employer=employer,
            starts_on=started + timedelta(days=index),
        )
        for months, outcome in ((6, at_six), (12, at_twelve)):
            if outcome:
                _record_directly(placement, months, outcome, staff)
    # A later hire: the employer came back to the centre.
    PlacementFactory(
        enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED),
        employer=employer,
        starts_on=today,
    )

    record = (
        login(staff)
        .get(reverse("placements:employer_detail", args=[employer.pk]))
        .context["record"]
    )

    assert len(record.placements) == 4
    six, twelve = record.retention
    assert (six.months, six.followed_up, six.still_working) == (6, 3, 2)
    assert (twelve.months, twelve.followed_up, twelve.still_working) == (12, 2, 1)
    assert record.repeat_placements == 3  # the three after the first day of hiring


def _record_directly(placement, months, outcome, by):
    with scopes_disabled():
        FollowUp.objects.filter(placement=placement, months_after=months).update(
            status=FollowUpStatus.DONE,
            outcome=outcome,
            contacted_on=timezone.localdate(),
            recorded_at=timezone.now(),
            recorded_by=by,
        )


# -- the navbar's count ------------------------------------------------------------------


def _navbar_count(page) -> str | None:
    import re

    found = re.search(r'data-testid="follow-up-count"[^>]*>([^<]+)<', page.content.decode())
    return found.group(1) if found else None


def test_the_navbar_counts_the_follow_ups_to_call_today_and_overdue(login, staff, centre):
    placed_with_first_follow_up_due(centre)  # due today
    placed_with_first_follow_up_due(centre, days_ago=20)  # its window closed 6 days ago
    placed_with_first_follow_up_due(centre, days_ago=-5)  # due in five days: not yet
    client = login(staff)

    assert _navbar_count(client.get(reverse("clients:list"))) == "۲"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("clients:list"))
    assert _navbar_count(page) == "2"
    assert "(2 to call today or overdue)" in page.content.decode()


def test_recording_a_follow_up_lowers_the_navbar_count(login, staff, centre):
    placement = placed_with_first_follow_up_due(centre)
    placed_with_first_follow_up_due(centre, days_ago=3)
    with scopes_disabled():
        first = placement.follow_ups.order_by("months_after").first()
    client = login(staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert _navbar_count(client.get(reverse("clients:list"))) == "2"

    client.post(
        reverse("follow_ups:record", args=[first.pk]),
        {"contacted_on": timezone.localdate().isoformat(), "outcome": "same_job"},
    )

    assert _navbar_count(client.get(reverse("clients:list"))) == "1"


def test_the_navbar_counts_only_the_users_own_centre(login, other_staff, national, centre):
    placed_with_first_follow_up_due(centre)
    assert _navbar_count(login(other_staff).get(reverse("clients:list"))) is None
    assert _navbar_count(login(national).get(reverse("clients:list"))) is None
