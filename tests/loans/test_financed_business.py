"""A loan linked to the self-employment placement it financed: who may link which business,
the one-running-loan-per-business rule (in the service and the database), the placement
form's choice of the client's loans, and both pages showing the link in both languages."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients.models import Enrolment
from clients.models import State as EnrolmentState
from hami.errors import DomainError
from hami.jalali import format_jalali
from hami.text import to_persian_digits
from loans import services
from loans.models import LoanApplication, LoanTransition, State
from placements import services as placement_services
from placements.models import Placement, PlacementKind

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    EmployerFactory,
    EnrolmentFactory,
    LoanApplicationFactory,
    PlacementFactory,
)

pytestmark = pytest.mark.django_db


def business(client, *, name="خیاطی خانگی زهرا", centre=None, ended=False):
    """A self-employment placement of `client`, on their open enrolment (a placed one is
    made when they have none); `ended` for a business of the past."""
    with scopes_disabled():
        enrolment = Enrolment.objects.filter(client=client, closed_at__isnull=True).first()
    enrolment = enrolment or EnrolmentFactory(client=client, state=EnrolmentState.PLACED)
    return PlacementFactory(
        enrolment=enrolment,
        centre=centre or enrolment.centre,
        ended_on=timezone.localdate() if ended else None,
        kind=PlacementKind.SELF_EMPLOYMENT,
        employer=None,
        job_title="",
        skill_level="",
        monthly_wage=None,
        contract_type="",
        business_name=name,
        premises="home",
        activity="دوخت مانتو",
    )


def loan_of(client, state=State.DISBURSED, *, title="کارگاه خیاطی", amount=100_000_000):
    return LoanApplicationFactory(
        plan=BusinessPlanFactory(client=client, title=title), state=state, amount=amount
    )


def link(loan, placement, user):
    with scope_for(user):
        services.link_placement(loan=loan, placement=placement, by=user)


def linked_to(loan):
    with scopes_disabled():
        return LoanApplication.objects.get(pk=loan.pk).placement_id


def steps(loan):
    with scopes_disabled():
        return list(
            LoanTransition.objects.filter(application=loan)
            .order_by("pk")
            .values_list("action", "from_state", "to_state", "reason")
        )


# -- the rules ------------------------------------------------------------------------------


def test_staff_link_a_disbursed_loan_to_its_clients_business_and_the_history_says_so(staff, centre):
    client = ClientFactory(centre=centre)
    loan, placement = loan_of(client), business(client)
    link(loan, placement, staff)
    assert linked_to(loan) == placement.pk
    assert steps(loan)[-1] == ("link_placement", "disbursed", "disbursed", "خیاطی خانگی زهرا")
    with scopes_disabled():
        assert LoanApplication.objects.get(pk=loan.pk).state == State.DISBURSED


@pytest.mark.parametrize(
    "arrange, message",
    [
        (lambda c, other: business(ClientFactory(centre=c.centre)), "another client's business"),
        (lambda c, other: PlacementFactory(enrolment=EnrolmentFactory(client=c)), "is a wage job"),
        (lambda c, other: business(c, centre=other), "another centre"),
    ],
    ids=["another client's", "a wage job", "another centre's"],
)
def test_only_the_clients_own_business_at_the_loans_centre_is_linked(
    arrange, message, staff, centre, other_centre
):
    client = ClientFactory(centre=centre)
    loan = loan_of(client)
    placement = arrange(client, other_centre)
    before = steps(loan)
    with pytest.raises(DomainError, match=message):
        link(loan, placement, staff)
    assert linked_to(loan) is None
    assert steps(loan) == before


def test_a_business_financed_by_another_running_loan_is_refused(staff, centre):
    client = ClientFactory(centre=centre)
    placement = business(client)
    first, second = loan_of(client, title="وام اول"), loan_of(client, title="وام دوم")
    link(first, placement, staff)
    with pytest.raises(DomainError, match="already financed by the loan “وام اول”"):
        link(second, placement, staff)
    assert linked_to(second) is None


def test_a_repaid_loan_stays_linked_and_a_repeat_loan_may_finance_the_same_business(staff, centre):
    client = ClientFactory(centre=centre)
    placement = business(client)
    repaid, repeat = loan_of(client, State.REPAID), loan_of(client, State.APPROVED)
    link(repaid, placement, staff)
    link(repeat, placement, staff)
    assert linked_to(repaid) == linked_to(repeat) == placement.pk


@pytest.mark.parametrize(
    "state", [State.DRAFT, State.SUBMITTED, State.RECOMMENDED, State.REJECTED, State.WITHDRAWN]
)
def test_a_loan_not_approved_finances_nothing(state, staff, centre):
    client = ClientFactory(centre=centre)
    loan = loan_of(client, state)
    with pytest.raises(DomainError, match="Only an approved or disbursed loan"):
        link(loan, business(client), staff)
    assert linked_to(loan) is None


def test_a_loan_already_linked_is_unlinked_first(staff, centre):
    client = ClientFactory(centre=centre)
    loan = loan_of(client)
    link(loan, business(client, name="اول", ended=True), staff)
    with pytest.raises(DomainError, match="already linked to a business"):
        link(loan, business(client, name="دوم"), staff)


def test_unlinking_clears_the_link_and_is_logged(staff, centre):
    client = ClientFactory(centre=centre)
    loan = loan_of(client)
    link(loan, business(client), staff)
    with scope_for(staff):
        services.unlink_placement(loan=loan, by=staff)
    assert linked_to(loan) is None
    assert [step[0] for step in steps(loan)][-2:] == ["link_placement", "unlink_placement"]
    with pytest.raises(DomainError, match="not linked"), scope_for(staff):
        services.unlink_placement(loan=loan, by=staff)


def test_another_centres_staff_cannot_link_through_the_service(staff, other_staff, centre):
    client = ClientFactory(centre=centre)
    loan, placement = loan_of(client), business(client)
    with pytest.raises(DomainError, match="another centre's"), scopes_disabled():
        services.link_placement(loan=loan, placement=placement, by=other_staff)
    assert linked_to(loan) is None


def test_the_database_holds_one_running_loan_per_business(centre):
    client = ClientFactory(centre=centre)
    placement = business(client)
    first, second = loan_of(client), loan_of(client, State.REPAYING)
    with scopes_disabled():
        LoanApplication.objects.filter(pk=first.pk).update(placement=placement)
        with pytest.raises(IntegrityError), transaction.atomic():
            LoanApplication.objects.filter(pk=second.pk).update(placement=placement)
        # Once the first is repaid, the second may run against the same business.
        LoanApplication.objects.filter(pk=first.pk).update(state=State.REPAID)
        LoanApplication.objects.filter(pk=second.pk).update(placement=placement)


def test_the_database_refuses_a_draft_linked_to_a_business(centre):
    client = ClientFactory(centre=centre)
    draft = loan_of(client, State.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic(), scopes_disabled():
        LoanApplication.objects.filter(pk=draft.pk).update(placement=business(client))


# -- placing with the loan ------------------------------------------------------------------


def trained(client):
    enrolment = EnrolmentFactory(client=client, state=EnrolmentState.TRAINED)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=timezone.now() - timedelta(days=120)
        )
        enrolment.refresh_from_db()
    return enrolment


def own_business_form(enrolment, **fields):
    return {
        "version": enrolment.version,
        "kind": "self_employment",
        "starts_on": to_persian_digits(format_jalali(timezone.localdate())),
        "business_name": "خیاطی خانگی زهرا",
        "premises": "home",
        "activity": "دوخت مانتو",
        **fields,
    }


def test_the_placement_form_offers_only_the_clients_loans_not_yet_linked(login, staff, centre):
    client = ClientFactory(centre=centre)
    enrolment = trained(client)
    offered = [
        loan_of(client, State.APPROVED, title="وام تصویب‌شده"),
        loan_of(client, State.REPAYING, title="وام در بازپرداخت"),
    ]
    not_offered = [
        loan_of(client, State.DRAFT, title="وام پیش‌نویس"),
        loan_of(client, State.WITHDRAWN, title="وام منصرف"),
        loan_of(ClientFactory(centre=centre), State.APPROVED, title="وام مددجوی دیگر"),
    ]
    linked = loan_of(client, title="وام کسب‌وکار قبلی")
    with scopes_disabled():
        LoanApplication.objects.filter(pk=linked.pk).update(placement=business(client, ended=True))
    not_offered.append(linked)
    form = login(staff).get(reverse("placements:create", args=[enrolment.pk])).context["form"]
    choices = {str(value): label for value, label in form.fields["financing_loan"].choices}
    for loan in offered:
        assert loan.plan.title in choices[str(loan.pk)]
    for loan in not_offered:
        assert str(loan.pk) not in choices


def test_a_client_without_a_loan_is_not_asked_for_one(login, staff, centre):
    enrolment = trained(ClientFactory(centre=centre))
    html = login(staff).get(reverse("placements:create", args=[enrolment.pk])).content.decode()
    assert "financing_loan" not in html


def test_placing_in_an_own_business_with_the_loan_links_it(login, staff, centre):
    client = ClientFactory(centre=centre)
    enrolment, loan = trained(client), loan_of(client, State.APPROVED)
    response = login(staff).post(
        reverse("placements:create", args=[enrolment.pk]),
        own_business_form(enrolment, financing_loan=loan.pk),
    )
    assert response.status_code == 302
    with scopes_disabled():
        placement = Placement.objects.get(enrolment=enrolment)
    assert linked_to(loan) == placement.pk


def test_a_wage_job_is_never_linked_to_the_loan_chosen_then_switched_away_from(
    login, staff, centre
):
    client = ClientFactory(centre=centre)
    enrolment, loan = trained(client), loan_of(client, State.APPROVED)
    response = login(staff).post(
        reverse("placements:create", args=[enrolment.pk]),
        {
            **own_business_form(enrolment, financing_loan=loan.pk),
            "kind": "wage_job",
            "employer": EmployerFactory(centre=centre).pk,
            "job_title": "چرخ‌کار",
            "skill_level": "simple",
            "contract_type": "fixed_term",
            "monthly_wage": "15,000,000",
        },
    )
    assert response.status_code == 302
    assert linked_to(loan) is None


def test_a_refused_link_saves_no_placement(staff, centre):
    client = ClientFactory(centre=centre)
    enrolment = trained(client)
    someone_elses = loan_of(ClientFactory(centre=centre), State.APPROVED)
    with pytest.raises(DomainError, match="another client's"), scope_for(staff):
        placement_services.place(
            enrolment=enrolment,
            by=staff,
            kind="self_employment",
            starts_on=timezone.localdate(),
            business_name="خیاطی",
            premises="home",
            activity="دوخت",
            extra={"financing_loan": someone_elses},
        )
    with scopes_disabled():
        assert not Placement.objects.filter(enrolment=enrolment).exists()
        assert Enrolment.objects.get(pk=enrolment.pk).state == EnrolmentState.TRAINED


# -- the pages ------------------------------------------------------------------------------


def test_staff_link_from_the_loan_page(login, staff, centre):
    client = ClientFactory(centre=centre)
    loan, placement = loan_of(client), business(client)
    browser = login(staff)
    page = browser.get(reverse("loans:detail", args=[loan.pk])).content.decode()
    assert reverse("loans:link_placement", args=[loan.pk]) in page
    form = browser.get(reverse("loans:link_placement", args=[loan.pk])).content.decode()
    assert "خیاطی خانگی زهرا" in form
    response = browser.post(
        reverse("loans:link_placement", args=[loan.pk]),
        {"version": loan.version, "placement": placement.pk},
    )
    assert response.status_code == 302
    assert linked_to(loan) == placement.pk


def test_the_link_form_refuses_a_wage_job_it_does_not_offer(login, staff, centre):
    client = ClientFactory(centre=centre)
    loan = loan_of(client)
    wage_job = PlacementFactory(enrolment=EnrolmentFactory(client=client, state="placed"))
    response = login(staff).post(
        reverse("loans:link_placement", args=[loan.pk]),
        {"version": loan.version, "placement": wage_job.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["placement"]
    assert linked_to(loan) is None


def test_another_centres_staff_get_404_and_nothing_is_saved(login, other_staff, centre):
    client = ClientFactory(centre=centre)
    loan, placement = loan_of(client), business(client)
    browser = login(other_staff)
    url = reverse("loans:link_placement", args=[loan.pk])
    assert (
        browser.post(url, {"version": loan.version, "placement": placement.pk}).status_code == 404
    )
    assert linked_to(loan) is None
    with scopes_disabled():
        LoanApplication.objects.filter(pk=loan.pk).update(placement=placement)
    unlink = reverse("loans:unlink_placement", args=[loan.pk])
    assert browser.post(unlink, {"version": loan.version}).status_code == 404
    assert linked_to(loan) == placement.pk


def test_the_national_office_sees_the_link_but_may_not_change_it(login, national, centre):
    client = ClientFactory(centre=centre)
    loan, placement = loan_of(client), business(client)
    with scopes_disabled():
        LoanApplication.objects.filter(pk=loan.pk).update(placement=placement)
    browser = login(national)
    page = browser.get(reverse("loans:detail", args=[loan.pk])).content.decode()
    assert "خیاطی خانگی زهرا" in page
    assert reverse("loans:unlink_placement", args=[loan.pk]) not in page
    unlink = reverse("loans:unlink_placement", args=[loan.pk])
    assert browser.post(unlink, {"version": loan.version}).status_code == 403
    assert linked_to(loan) == placement.pk


@pytest.mark.parametrize(
    "language, heading, started_on, panel, amount, status",
    [
        (
            "fa",
            "کسب‌وکار تأمین‌شده با وام",
            "۱۴۰۳/۱۰/۱۶",
            "وامی که این کسب‌وکار را تأمین کرد",
            "۱۰٬۰۰۰٬۰۰۰ تومان",
            "پرداخت‌شده",
        ),
        (
            "en",
            "Financed business",
            "2025-01-05",
            "The loan that financed it",
            "10,000,000 toman",
            "Disbursed",
        ),
    ],
)
def test_both_pages_show_the_link_in_both_languages(
    language, heading, started_on, panel, amount, status, login, staff, centre
):
    person = ClientFactory(centre=centre)
    loan = loan_of(person, title="کارگاه خیاطی", amount=100_000_000)
    placement = business(person)
    with scopes_disabled():
        Placement.objects.filter(pk=placement.pk).update(starts_on=date(2025, 1, 5))
    link(loan, placement, staff)
    browser = login(staff)
    browser.cookies["hami_language"] = language
    loan_page = browser.get(reverse("loans:detail", args=[loan.pk])).content.decode()
    assert heading in loan_page
    assert "خیاطی خانگی زهرا" in loan_page
    assert started_on in loan_page
    assert reverse("placements:detail", args=[placement.pk]) in loan_page
    business_page = browser.get(reverse("placements:detail", args=[placement.pk])).content.decode()
    assert panel in business_page
    assert "کارگاه خیاطی" in business_page
    assert amount in business_page
    assert status in business_page
    assert reverse("loans:detail", args=[loan.pk]) in business_page


def test_the_client_timeline_shows_the_link(login, staff, centre):
    client = ClientFactory(centre=centre)
    loan = loan_of(client)
    link(loan, business(client), staff)
    browser = login(staff)
    browser.cookies["hami_language"] = "en"
    page = browser.get(reverse("clients:detail", args=[client.pk])).content.decode()
    assert "Loan: Financed business linked" in page
