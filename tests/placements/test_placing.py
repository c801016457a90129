"""Placing a client in work: from which states, with what refused, and the year of
follow-up created with the placement, on Jalali month dates."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients.models import Enrolment, EnrolmentTransition, State
from clients.workflow import Action
from hami.errors import DomainError
from hami.jalali import from_jalali
from placements import services
from placements.models import (
    ContractType,
    FollowUp,
    FollowUpStatus,
    Placement,
    PlacementKind,
    Premises,
    SkillLevel,
)
from tests.factories import (
    CentreFactory,
    ClientFactory,
    EmployerFactory,
    EnrolmentFactory,
    PlacementFactory,
)

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")


def enrolment_in(state, centre, *, opened_days_ago=200):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=state)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=timezone.now() - timedelta(days=opened_days_ago)
        )
        enrolment.refresh_from_db()
    return enrolment


def wage_job(employer, **overrides):
    return {
        "kind": PlacementKind.WAGE_JOB,
        "employer": employer,
        "job_title": "چرخ‌کار",
        "skill_level": SkillLevel.SIMPLE,
        "monthly_wage": 150_000_000,
        "contract_type": ContractType.FIXED_TERM,
        "starts_on": timezone.localdate(),
    } | overrides


def own_business(**overrides):
    return {
        "kind": PlacementKind.SELF_EMPLOYMENT,
        "business_name": "خیاطی زهرا",
        "premises": Premises.HOME,
        "activity": "دوخت لباس زنانه",
        "starts_on": timezone.localdate(),
    } | overrides


def jalali(year, month, day):
    return from_jalali(year, month, day)


# -- from which states --------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.TRAINED, State.ASSESSED, State.SEEKING_WORK])
def test_a_trained_or_assessed_client_is_placed_with_four_follow_ups(state, centre, staff):
    enrolment = enrolment_in(state, centre)
    employer = EmployerFactory(centre=centre)
    with scope_for(staff):
        placement = services.place(enrolment=enrolment, by=staff, **wage_job(employer))

        enrolment.refresh_from_db()
        assert enrolment.state == State.PLACED
        step = enrolment.transitions.get(action=Action.PLACE)
        assert (step.from_state, step.to_state, step.by) == (state, State.PLACED, staff)
        follow_ups = list(placement.follow_ups.order_by("months_after"))
        assert [f.months_after for f in follow_ups] == [1, 3, 6, 12]
        assert {f.assigned_to for f in follow_ups} == {staff}
        assert {f.centre for f in follow_ups} == {centre}


def test_a_client_placed_without_training_keeps_no_course(centre, staff):
    enrolment = enrolment_in(State.ASSESSED, centre)
    with scope_for(staff):
        services.place(enrolment=enrolment, by=staff, **own_business())

        enrolment.refresh_from_db()
        assert (enrolment.state, enrolment.course, enrolment.attendance_percent) == (
            State.PLACED,
            None,
            None,
        )


@pytest.mark.parametrize(
    "state",
    [
        State.INTAKE,
        State.WAITING,
        State.TRAINING,
        State.PLACED,
        State.SUSTAINED,
        State.WITHDRAWN,
        State.NOT_READY,
    ],
)
def test_placing_a_client_who_is_not_trained_or_assessed_is_refused(state, centre, staff):
    enrolment = enrolment_in(state, centre)
    employer = EmployerFactory(centre=centre)
    with scope_for(staff), translation.override("en"):
        with pytest.raises(DomainError) as refusal:
            services.place(enrolment=enrolment, by=staff, **wage_job(employer))

        assert "“Placed in work” is not possible" in str(refusal.value.message)
        assert not Placement.objects.filter(enrolment=enrolment).exists()
        assert not FollowUp.objects.filter(placement__enrolment=enrolment).exists()
        enrolment.refresh_from_db()
        assert enrolment.state == state


# -- what is refused, with nothing saved --------------------------------------------------


def assert_refused(enrolment, staff, fields, message):
    with scope_for(staff), translation.override("en"):
        with pytest.raises(DomainError) as refusal:
            services.place(enrolment=enrolment, by=staff, **fields)
        assert message in str(refusal.value.message)
        assert not Placement.objects.exists()
        assert not FollowUp.objects.exists()
        enrolment.refresh_from_db()
        assert enrolment.state == State.TRAINED
        assert not enrolment.transitions.exists()


def test_work_cannot_start_before_the_enrolment_began(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre, opened_days_ago=30)
    began = timezone.localdate(enrolment.opened_at)
    fields = wage_job(EmployerFactory(centre=centre), starts_on=began - timedelta(days=1))
    assert_refused(enrolment, staff, fields, "cannot start before the client's enrolment began")


def test_work_starting_more_than_a_month_ahead_is_refused(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre)
    today = timezone.localdate()
    next_month = from_jalali(*_jalali_parts(today, months=1))
    fields = wage_job(EmployerFactory(centre=centre), starts_on=next_month + timedelta(days=1))
    assert_refused(enrolment, staff, fields, "at most a month before the work starts")


def test_work_starting_a_month_ahead_is_accepted(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre)
    next_month = from_jalali(*_jalali_parts(timezone.localdate(), months=1))
    with scope_for(staff):
        placement = services.place(
            enrolment=enrolment,
            by=staff,
            **wage_job(EmployerFactory(centre=centre), starts_on=next_month),
        )
    assert placement.starts_on == next_month


def _jalali_parts(day, *, months):
    """The Jalali (year, month, day) `months` after `day`, the day clamped: written out
    here rather than taken from `add_months`."""
    import jdatetime

    j = jdatetime.date.fromgregorian(date=day)
    month_index = j.month - 1 + months
    year, month = j.year + month_index // 12, month_index % 12 + 1
    length = 31 if month <= 6 else 30 if month <= 11 else (30 if _leap(year) else 29)
    return year, month, min(j.day, length)


def _leap(year):
    import jdatetime

    return jdatetime.date(year, 1, 1).isleap()


@pytest.mark.parametrize("wage", [0, -10])
def test_a_wage_of_zero_or_below_is_refused(wage, centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre)
    fields = wage_job(EmployerFactory(centre=centre), monthly_wage=wage)
    assert_refused(enrolment, staff, fields, "The monthly wage must be more than zero.")


def test_an_employer_of_another_centres_list_is_refused(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre)
    elsewhere = EmployerFactory(centre=CentreFactory(code="ELS-01"))
    fields = wage_job(elsewhere)
    assert_refused(enrolment, staff, fields, "This employer is on another centre's list")


def test_an_employer_no_longer_active_is_refused(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre)
    fields = wage_job(EmployerFactory(centre=centre, is_active=False))
    assert_refused(enrolment, staff, fields, "no longer active")


def test_an_own_business_needs_its_name_place_and_activity(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre)
    assert_refused(enrolment, staff, own_business(activity=" "), "Enter the business's name")


def test_a_client_has_one_current_placement_in_the_database(centre, staff):
    placement = PlacementFactory(enrolment=enrolment_in(State.PLACED, centre))
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            centre=centre,
            enrolment=placement.enrolment,
            kind=PlacementKind.SELF_EMPLOYMENT,
            business_name="دومی",
            premises=Premises.HOME,
            activity="فروش",
            starts_on=timezone.localdate(),
            created_by=staff,
        )


def test_the_database_refuses_a_wage_job_without_a_wage(centre, staff):
    enrolment = enrolment_in(State.PLACED, centre)
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            centre=centre,
            enrolment=enrolment,
            kind=PlacementKind.WAGE_JOB,
            employer=EmployerFactory(centre=centre),
            job_title="چرخ‌کار",
            skill_level=SkillLevel.SIMPLE,
            contract_type=ContractType.PERMANENT,
            monthly_wage=0,
            starts_on=timezone.localdate(),
            created_by=staff,
        )


def test_the_database_refuses_a_second_follow_up_in_the_same_slot(centre):
    placement = PlacementFactory(enrolment=enrolment_in(State.PLACED, centre))
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            centre=centre,
            placement=placement,
            months_after=1,
            due_on=timezone.localdate(),
            assigned_to=placement.created_by,
        )


# -- the schedule, in Jalali months ----------------------------------------------------------

SCHEDULES = {
    # 31 Shahrivar + 1 month: Mehr has 30 days.
    "31-shahrivar": (
        (1403, 6, 31),
        [(1403, 7, 30), (1403, 9, 30), (1403, 12, 30), (1404, 6, 31)],
    ),
    # 30 Bahman + 1 month falls in Esfand: 30 days in the leap year 1403 …
    "30-bahman-leap": (
        (1403, 11, 30),
        [(1403, 12, 30), (1404, 2, 30), (1404, 5, 30), (1404, 11, 30)],
    ),
    # … 29 in 1402.
    "30-bahman-not-leap": (
        (1402, 11, 30),
        [(1402, 12, 29), (1403, 2, 30), (1403, 5, 30), (1403, 11, 30)],
    ),
    # 30 Esfand 1403 (leap) + 12 months: 1404's Esfand has 29 days.
    "30-esfand-leap": (
        (1403, 12, 30),
        [(1404, 1, 30), (1404, 3, 30), (1404, 6, 30), (1404, 12, 29)],
    ),
}


@pytest.mark.parametrize(("start", "due"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_follow_ups_fall_due_whole_jalali_months_after_the_start(start, due):
    dates = [d for _months, d in services.follow_up_schedule(jalali(*start))]
    assert dates == [jalali(*d) for d in due]


def test_the_schedule_follows_the_setting(settings):
    settings.HAMI_FOLLOW_UP_MONTHS = [2, 4]
    start = jalali(1403, 1, 10)
    assert services.follow_up_schedule(start) == [
        (2, jalali(1403, 3, 10)),
        (4, jalali(1403, 5, 10)),
    ]


def test_a_placement_saved_at_2330_tehran_time_is_dated_by_tehrans_calendar(centre, staff):
    """23:30 in Tehran on 1403/06/31 is 20:00 UTC the same day; 00:30 on 1403/07/01 is
    21:00 UTC on the day before. The placement's day is Tehran's either way."""
    enrolment = enrolment_in(State.TRAINED, centre, opened_days_ago=10_000)
    employer = EmployerFactory(centre=centre)
    at = datetime(2024, 9, 21, 23, 30, tzinfo=TEHRAN)  # 1403/06/31 23:30
    assert jalali(1403, 6, 31) == date(2024, 9, 21)
    with scope_for(staff):
        placement = services.place(
            enrolment=enrolment,
            by=staff,
            at=at,
            **wage_job(employer, starts_on=jalali(1403, 6, 31)),
        )
        dues = list(placement.follow_ups.order_by("months_after").values_list("due_on", flat=True))
        assert dues == [
            jalali(1403, 7, 30),
            jalali(1403, 9, 30),
            jalali(1403, 12, 30),
            jalali(1404, 6, 31),
        ]
        assert timezone.localtime(placement.created_at).date() == jalali(1403, 6, 31)
        step = EnrolmentTransition.objects.get(enrolment=enrolment, action=Action.PLACE)
        assert step.at == at


def test_just_after_midnight_in_tehran_a_month_ahead_counts_from_tehrans_day(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre, opened_days_ago=10_000)
    employer = EmployerFactory(centre=centre)
    at = datetime(2024, 9, 22, 0, 30, tzinfo=TEHRAN)  # 1403/07/01 00:30 = 2024-09-21 21:00 UTC
    assert at.astimezone(ZoneInfo("UTC")).date() == date(2024, 9, 21)
    with scope_for(staff):
        placement = services.place(
            enrolment=enrolment,
            by=staff,
            at=at,
            # A month after Tehran's day (1 Mehr): 1 Aban. From UTC's day it would be 31 Mehr.
            **wage_job(employer, starts_on=jalali(1403, 8, 1)),
        )
    assert placement.starts_on == jalali(1403, 8, 1)


def test_a_placement_entered_late_has_its_past_follow_ups_already_due_or_overdue(centre, staff):
    enrolment = enrolment_in(State.TRAINED, centre, opened_days_ago=10_000)
    employer = EmployerFactory(centre=centre)
    at = datetime(2024, 11, 1, 10, 0, tzinfo=TEHRAN)  # 1403/08/11
    with scope_for(staff):
        placement = services.place(
            enrolment=enrolment,
            by=staff,
            at=at,
            **wage_job(employer, starts_on=jalali(1403, 5, 1)),
        )
        statuses = dict(placement.follow_ups.values_list("months_after", "status"))
    assert statuses == {
        1: FollowUpStatus.MISSED,  # due 1403/06/01: its window closed on 1403/06/15
        3: FollowUpStatus.DUE,  # due 1403/08/01: open until 1403/08/15
        6: FollowUpStatus.SCHEDULED,  # due 1403/11/01
        12: FollowUpStatus.SCHEDULED,  # due 1404/05/01
    }
