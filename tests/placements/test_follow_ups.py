"""Recording a follow-up call, once, in its window; and how its outcome moves the client's
journey: sustained at twelve months in work, support for a new placement when unemployed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from clients.models import Enrolment, State
from clients.workflow import Action
from hami.errors import DomainError
from hami.jalali import from_jalali
from placements import services
from placements.models import FollowUp, FollowUpStatus, Outcome, Placement, PlacementKind
from tests.factories import ClientFactory, EmployerFactory, EnrolmentFactory, PlacementFactory

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
START = from_jalali(1403, 1, 15)  # 2024-04-03
# The follow-ups of a placement starting on 1403/01/15 fall due on 1403/02/15, 1403/04/15,
# 1403/07/15 and 1404/01/15.
DUE = {
    1: from_jalali(1403, 2, 15),
    3: from_jalali(1403, 4, 15),
    6: from_jalali(1403, 7, 15),
    12: from_jalali(1404, 1, 15),
}


def on(day, hour=11):
    """A moment on `day` in Tehran."""
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TEHRAN)


@pytest.fixture
def placement(centre, staff):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(opened_at=on(START) - timedelta(days=90))
    return PlacementFactory(
        enrolment=enrolment, starts_on=START, employer=EmployerFactory(centre=centre)
    )


def follow_up(placement, months):
    with scopes_disabled():
        return FollowUp.objects.get(placement=placement, months_after=months)


def record(staff, item, *, day=None, outcome=Outcome.SAME_JOB, **fields):
    day = day or item.due_on
    with scope_for(staff):
        return services.record_follow_up(
            follow_up=item, by=staff, contacted_on=day, outcome=outcome, at=on(day), **fields
        )


def test_the_placements_follow_ups_fall_due_on_the_jalali_dates(placement):
    with scopes_disabled():
        dues = dict(placement.follow_ups.values_list("months_after", "due_on"))
    assert dues == DUE


def test_a_call_in_its_window_is_recorded_with_who_and_when(placement, staff):
    item = follow_up(placement, 1)
    day = DUE[1] - timedelta(days=3)

    record(
        staff,
        item,
        day=day,
        monthly_income=120_000_000,
        employer_satisfaction=4,
        client_satisfaction=5,
        notes="راضی است",
    )

    item.refresh_from_db()
    assert item.status == FollowUpStatus.DONE
    assert (item.contacted_on, item.outcome, item.monthly_income) == (
        day,
        Outcome.SAME_JOB,
        120_000_000,
    )
    assert (item.employer_satisfaction, item.client_satisfaction) == (4, 5)
    assert (item.recorded_by, item.recorded_at) == (staff, on(day))
    assert item.notes == "راضی است"


@pytest.mark.parametrize(
    "days", [-8, 15, 40], ids=["a-day-before-it-opens", "a-day-after-it-closes", "long-after"]
)
def test_a_call_outside_its_window_needs_a_reason(days, placement, staff):
    item = follow_up(placement, 3)
    day = DUE[3] + timedelta(days=days)

    with translation.override("en"), pytest.raises(DomainError) as refusal:
        record(staff, item, day=day)
    assert "Outside those days, say why." in str(refusal.value.message)
    item.refresh_from_db()
    assert item.status != FollowUpStatus.DONE

    record(staff, item, day=day, outside_window_reason="تلفن مددجو خاموش بود")
    item.refresh_from_db()
    assert item.status == FollowUpStatus.DONE
    assert item.outside_window_reason == "تلفن مددجو خاموش بود"


@pytest.mark.parametrize("days", [-7, 0, 14], ids=["opens", "due", "closes"])
def test_the_window_runs_from_a_week_before_to_two_weeks_after(days, placement, staff):
    item = follow_up(placement, 3)
    record(staff, item, day=DUE[3] + timedelta(days=days))
    item.refresh_from_db()
    assert item.status == FollowUpStatus.DONE


def test_a_second_record_of_the_same_follow_up_is_refused(placement, staff):
    item = follow_up(placement, 1)
    record(staff, item, notes="اولی")

    with translation.override("en"), pytest.raises(DomainError) as refusal:
        record(staff, item, outcome=Outcome.ANOTHER_JOB, notes="دومی")

    assert "already recorded" in str(refusal.value.message)
    item.refresh_from_db()
    assert (item.outcome, item.notes) == (Outcome.SAME_JOB, "اولی")


def test_a_call_cannot_be_dated_in_the_future_or_before_the_work_started(placement, staff):
    item = follow_up(placement, 1)
    with scope_for(staff), translation.override("en"):
        with pytest.raises(DomainError, match="future"):
            services.record_follow_up(
                follow_up=item,
                by=staff,
                contacted_on=DUE[1] + timedelta(days=1),
                outcome=Outcome.SAME_JOB,
                at=on(DUE[1]),
            )
        with pytest.raises(DomainError, match="cannot come before"):
            services.record_follow_up(
                follow_up=item,
                by=staff,
                contacted_on=START - timedelta(days=1),
                outcome=Outcome.SAME_JOB,
                outside_window_reason="اشتباه",
                at=on(DUE[1]),
            )


# -- outcomes drive the journey -------------------------------------------------------------


def test_twelve_months_in_work_is_sustained_employment(placement, staff):
    for months in (1, 3, 6):
        record(staff, follow_up(placement, months))
    with scopes_disabled():
        assert Enrolment.objects.get(pk=placement.enrolment_id).state == State.PLACED

    record(staff, follow_up(placement, 12), outcome=Outcome.ANOTHER_JOB)

    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=placement.enrolment_id)
        assert enrolment.state == State.SUSTAINED
        assert enrolment.closed_at == on(DUE[12])
        step = enrolment.transitions.get(action=Action.SUSTAIN)
        assert (step.from_state, step.to_state, step.by) == (
            State.PLACED,
            State.SUSTAINED,
            staff,
        )


@pytest.mark.parametrize("outcome", [Outcome.UNREACHABLE])
def test_twelve_months_without_news_of_work_is_not_sustained(outcome, placement, staff):
    record(staff, follow_up(placement, 12), outcome=outcome)
    with scopes_disabled():
        assert Enrolment.objects.get(pk=placement.enrolment_id).state == State.PLACED


def test_working_at_an_earlier_follow_up_keeps_the_client_placed(placement, staff):
    record(staff, follow_up(placement, 6), outcome=Outcome.OWN_BUSINESS)
    with scopes_disabled():
        assert Enrolment.objects.get(pk=placement.enrolment_id).state == State.PLACED


def test_unemployed_ends_the_placement_and_reopens_support(placement, staff):
    record(staff, follow_up(placement, 1))
    day = DUE[3] + timedelta(days=2)

    record(staff, follow_up(placement, 3), day=day, outcome=Outcome.UNEMPLOYED)

    with scopes_disabled():
        enrolment = Enrolment.objects.get(pk=placement.enrolment_id)
        assert enrolment.state == State.SEEKING_WORK
        step = enrolment.transitions.get(action=Action.END_PLACEMENT)
        assert (step.from_state, step.to_state, step.at) == (
            State.PLACED,
            State.SEEKING_WORK,
            on(day),
        )
        placement.refresh_from_db()
        assert placement.ended_on == day
        assert placement.end_reason
        statuses = dict(placement.follow_ups.values_list("months_after", "status"))
        assert statuses == {
            1: FollowUpStatus.DONE,
            3: FollowUpStatus.DONE,
            6: FollowUpStatus.CANCELLED,
            12: FollowUpStatus.CANCELLED,
        }
        cancelled = placement.follow_ups.get(months_after=6)
        assert cancelled.cancel_reason == placement.end_reason
        assert cancelled.cancelled_at == on(day)


def test_a_cancelled_follow_up_cannot_be_recorded(placement, staff):
    record(staff, follow_up(placement, 1), outcome=Outcome.UNEMPLOYED)
    with translation.override("en"), pytest.raises(DomainError, match="cancelled"):
        record(staff, follow_up(placement, 3))


def test_a_new_placement_after_a_job_ended_starts_its_own_schedule(placement, centre, staff):
    record(staff, follow_up(placement, 1), outcome=Outcome.UNEMPLOYED)
    again = DUE[1] + timedelta(days=20)
    with scope_for(staff):
        enrolment = Enrolment.objects.get(pk=placement.enrolment_id)
        second = services.place(
            enrolment=enrolment,
            by=staff,
            at=on(again),
            kind=PlacementKind.SELF_EMPLOYMENT,
            business_name="تولید عروسک",
            premises="home",
            activity="عروسک‌سازی",
            starts_on=again,
        )
        enrolment.refresh_from_db()
        assert enrolment.state == State.PLACED
        assert Placement.objects.filter(enrolment=enrolment).count() == 2
        dues = list(second.follow_ups.order_by("months_after").values_list("due_on", flat=True))
    assert dues[0] == from_jalali(1403, 4, 4)  # 1403/03/04 + 1 month
    assert len(dues) == 4


def test_a_follow_up_of_a_client_no_longer_placed_is_refused(placement, staff):
    with scopes_disabled():
        Enrolment.objects.filter(pk=placement.enrolment_id).update(
            state=State.WITHDRAWN, closed_at=timezone.now()
        )
    with translation.override("en"), pytest.raises(DomainError, match="no longer placed"):
        record(staff, follow_up(placement, 1))
