"""Each indicator on a small network built by hand, with the answers worked out by hand.

Centre A:
  client 1  enrolment e1: assessed, then withdrew (left the programme)
            enrolment e2: enrolled again, trained, placed in a wage job 7 months ago
                          follow-ups: 1 month on time (working, 200M), 3 months late
                          (working), 6 months missed; 12 months still to come
  client 2  e3: trained, with a certificate; not placed
  client 3  e4: in training
  client 4  e5: withdrawn, deceased (excluded), had a placement whose follow-up was missed
  client 5  e6: own business 13 months ago, every follow-up on time and working (6-month
                income 100M): sustained
  client 6  e7: at intake, enrolled 800 days ago
  client 7  e9: trained, got a loan that was paid out and repaid early; not placed
Centre B (another province):
  client 8  e8: wage job 13 months ago; 6 months same job (income 300M), 12 months in
                another job
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.models import Province
from centres.scoping import all_centres_scope
from clients.models import EnrolmentTransition, ExitReason, State
from clients.workflow import Action
from dashboard.indicators import Filters, cohorts, dashboard
from dashboard.periods import Period, jalali_quarter, jalali_year, quarter_of
from hami.jalali import add_months, to_jalali
from loans import services as loan_services
from placements.models import FollowUpStatus, Outcome, PlacementKind
from tests.factories import (
    ClientFactory,
    EnrolmentFactory,
    PlacementFactory,
    UserFactory,
    make_disbursed_loan,
)

TODAY = timezone.localdate()


def _record(placement, months, *, late=False, outcome=Outcome.SAME_JOB, income=None):
    follow_up = placement.follow_ups.get(months_after=months)
    follow_up.status = FollowUpStatus.DONE
    follow_up.contacted_on = follow_up.due_on + timedelta(days=20 if late else 0)
    follow_up.outcome = outcome
    follow_up.monthly_income = income
    follow_up.recorded_at = timezone.now()
    follow_up.recorded_by = placement.created_by
    follow_up.save()


def _miss(placement, months):
    placement.follow_ups.filter(months_after=months).update(status=FollowUpStatus.MISSED)


@pytest.fixture
def network(centre, other_centre):
    with scopes_disabled():
        other_centre.province = Province.objects.exclude(pk=centre.province_id).first()
        other_centre.save()
        by = UserFactory(username="caseworker")
        # client 1: withdrew after an assessment, then enrolled again and was placed.
        client1 = ClientFactory(centre=centre)
        e1 = EnrolmentFactory(client=client1, state=State.WITHDRAWN, exit_reason="withdrew")
        EnrolmentTransition.objects.create(
            enrolment=e1,
            action=Action.ASSESS_READY,
            from_state="intake",
            to_state="assessed",
            by=by,
        )
        e2 = EnrolmentFactory(client=client1, state=State.PLACED)
        p2 = PlacementFactory(enrolment=e2, starts_on=add_months(TODAY, -7), created_by=by)
        _record(p2, 1, income=200_000_000)
        _record(p2, 3, late=True)
        _miss(p2, 6)
        # client 2: trained, certified.
        EnrolmentFactory(
            client=ClientFactory(centre=centre), state=State.TRAINED, certificate_number="C-1"
        )
        # client 3: in training.
        EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINING)
        # client 4: deceased: left out of everything, follow-ups included.
        e5 = EnrolmentFactory(
            client=ClientFactory(centre=centre),
            state=State.WITHDRAWN,
            exit_reason=ExitReason.DECEASED,
            training_finished_on=None,
            attendance_percent=None,
        )
        p5 = PlacementFactory(
            enrolment=e5, starts_on=add_months(TODAY, -2), ended_on=TODAY, created_by=by
        )
        _miss(p5, 1)
        # client 5: own business, sustained.
        e6 = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.SUSTAINED)
        p6 = PlacementFactory(
            enrolment=e6,
            kind=PlacementKind.SELF_EMPLOYMENT,
            employer=None,
            job_title="",
            skill_level="",
            monthly_wage=None,
            contract_type="",
            business_name="خیاطی خانگی",
            premises="home",
            activity="دوخت",
            starts_on=add_months(TODAY, -13),
            created_by=by,
        )
        for months in (1, 3, 6, 12):
            income = 100_000_000 if months == 6 else None
            _record(p6, months, outcome=Outcome.OWN_BUSINESS, income=income)
        # client 6: at intake, long ago.
        e7 = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.INTAKE)
        e7.opened_at = timezone.now() - timedelta(days=800)
        e7.save()
        # client 7: trained and financed by a loan, repaid early in one payment.
        loan = make_disbursed_loan(
            centre, amount=100_000_000, disbursed_on=TODAY - timedelta(days=60)
        )
        EnrolmentFactory(client=loan.client, state=State.TRAINED)
        staff = loan.created_by
        loan_services.record_repayment(
            loan=loan, by=staff, paid_on=TODAY, amount=loan_services_balance(loan)
        )
        # Centre B: one wage job, a year on in another job.
        e8 = EnrolmentFactory(client=ClientFactory(centre=other_centre), state=State.PLACED)
        p8 = PlacementFactory(enrolment=e8, starts_on=add_months(TODAY, -13), created_by=by)
        _record(p8, 1)
        _record(p8, 3)
        _record(p8, 6, income=300_000_000)
        _record(p8, 12, outcome=Outcome.ANOTHER_JOB)
    return {"e7": e7, "loan": loan}


def loan_services_balance(loan):
    from loans.selectors import balance

    return balance(loan)


def _figures(**filters):
    with all_centres_scope():
        return dashboard(
            Filters(period=filters.pop("period", Period()), on=TODAY, **filters),
            with_credit_lines=True,
        )


@pytest.mark.django_db
def test_the_funnel_of_one_centre_counts_entrants_as_worked_out_by_hand(network, centre):
    row = _figures(centre_id=centre.pk).total
    expected = {
        "entrants": 7,  # e1, e2, e3, e4, e6, e7, e9: not the deceased client's e5
        "excluded": 1,
        "excluded_deceased": 1,
        "assessed": 6,  # all but e7, still at intake; e1 through its log
        "trained": 4,  # e2, e3, e6, e9
        "certified": 1,
        "placed": 2,  # e2, e6
        "sustained": 1,
        "withdrawn": 1,  # e1
        "in_training": 1,
        "before_training": 1,
        "successful": 4,  # e2 placed, e3 and e9 trained, e6 sustained
        "people": 6,  # client 1 enrolled twice
        "benefited": 3,  # client 1 (placed the second time), client 5, client 7 (a loan)
    }
    assert {name: row.n[name] for name in expected} == expected
    assert row.successful_rate == Decimal(4) / Decimal(7)
    assert row.certificate_rate == Decimal("0.25")


@pytest.mark.django_db
def test_follow_ups_on_time_late_missed_and_retention(network, centre):
    row = _figures(centre_id=centre.pk).total
    # e2: 1, 3, 6 due (12 to come); e6: all four; the deceased client's missed call is out.
    assert (row.n["due"], row.n["on_time"], row.n["late"], row.n["missed"]) == (7, 5, 1, 1)
    assert row.on_time_rate == Decimal(5) / Decimal(7)
    assert [(m, settled, working) for m, settled, working, _share in row.retention()] == [
        (1, 2, 2),
        (3, 2, 2),
        (6, 2, 1),  # e2's 6-month call was missed: not confirmed working
        (12, 1, 1),
    ]
    assert row.employed_6 == Decimal("0.5")
    assert row.employed_12 == 1


@pytest.mark.django_db
def test_network_outcomes_median_income_and_same_employer(network):
    figures = _figures()
    total = figures.total
    assert total.n["entrants"] == 8
    assert total.n["successful"] == 5
    assert total.n["benefited"] == 4
    # 6-month incomes of those working: 100M (centre A), 300M (centre B).
    assert figures.median_income_6 == 200_000_000
    # Only centre B's wage job had its 6-month call in the same job and a 12-month call;
    # at 12 months the client was in another job.
    assert (total.n["same_employer_base"], total.n["same_employer"]) == (1, 0)
    assert total.same_employer_rate == 0


@pytest.mark.django_db
def test_a_loan_repaid_early_counts_as_lent_with_nothing_outstanding(network, centre):
    row = _figures(centre_id=centre.pk).total
    assert row.n["applications"] == 1
    assert row.n["loans_repaid"] == 1
    assert (row.n["requested"], row.n["approved"], row.n["disbursed"]) == (
        100_000_000,
        100_000_000,
        100_000_000,
    )
    assert row.n["band_10m_50m"] == 1  # 10 million tomans
    assert row.n["outstanding"] == 0
    assert row.par30 is None


@pytest.mark.django_db
def test_province_and_centre_rows_add_up_to_the_network(network, centre, other_centre):
    figures = _figures()
    by_centre = {row.key: row.n["entrants"] for row in figures.centres}
    assert by_centre == {centre.pk: 7, other_centre.pk: 1}
    by_province = {row.key: row.n["entrants"] for row in figures.provinces}
    assert by_province == {centre.province_id: 7, other_centre.province_id: 1}
    only_b = _figures(province_id=other_centre.province_id).total
    assert (only_b.n["entrants"], only_b.n["benefited"]) == (1, 1)


@pytest.mark.django_db
def test_the_period_counts_the_entrants_enrolled_in_it(network, centre):
    old = to_jalali(network["e7"].opened_at.date()).year
    row = _figures(centre_id=centre.pk, period=jalali_year(old)).total
    assert (row.n["entrants"], row.n["before_training"]) == (1, 1)
    this_quarter = jalali_quarter(*quarter_of(TODAY))
    assert _figures(centre_id=centre.pk, period=this_quarter).total.n["entrants"] == 6


@pytest.mark.django_db
def test_a_cohort_shows_where_its_entrants_are_now(network, centre):
    quarter = jalali_quarter(*quarter_of(TODAY))
    with all_centres_scope():
        [(period, row)] = cohorts(Filters(Period(), TODAY, centre_id=centre.pk), [quarter])
    assert period == quarter
    assert {
        k: row.n[k]
        for k in (
            "entrants",
            "excluded",
            "in_training",
            "trained",
            "placed",
            "sustained",
            "withdrawn",
        )
    } == {
        "entrants": 6,
        "excluded": 1,
        "in_training": 1,
        "trained": 2,  # e3, e9
        "placed": 1,  # e2
        "sustained": 1,
        "withdrawn": 1,
    }
