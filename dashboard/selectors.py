"""Reads for the centre home, the landing page of centre staff and managers."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from centres.models import Centre
from centres.roles import MANAGER, Principal
from clients.models import Enrolment, EnrolmentTransition
from clients.services import seats_taken
from clients.workflow import Action as EnrolmentAction
from loans.models import ArrearsFollowUp, LoanApplication, LoanTransition
from loans.models import State as LoanState
from loans.workflow import Action as LoanAction
from placements.models import FollowUp, overdue_before
from placements.selectors import UPCOMING_DAYS

RECENT_ACTIVITY = 12
WAITING_SHOWN = 5
LOANS_SHOWN = 8


@dataclass
class Activity:
    at: object
    by: object
    what: str
    client: object
    url_name: str
    pk: int


@dataclass
class CentreHome:
    centre: Centre
    seats_used: int
    waiting_count: int
    waiting: list
    follow_ups_today: int
    follow_ups_this_week: int
    follow_ups_overdue: int
    loans_to_act_on: list
    loans_to_act_on_count: int
    arrears_follow_ups: int
    activity: list[Activity]

    @property
    def capacity(self) -> int:
        return self.centre.training_capacity

    @property
    def seats_free(self) -> int:
        return max(self.capacity - self.seats_used, 0)


def loan_states_to_act_on(principal: Principal) -> list[str]:
    """The application states waiting for this user's step: drafts to submit (staff), and
    for a manager also submitted applications to recommend."""
    states = [LoanState.DRAFT]
    if MANAGER in principal.roles:
        states.append(LoanState.SUBMITTED)
    return states


def centre_home(centre: Centre, *, user, principal: Principal, today: date) -> CentreHome:
    overdue_on = overdue_before(today)
    follow_ups = (
        FollowUp.objects.filter(centre=centre)
        .open()
        .filter(due_on__lte=today + timedelta(days=UPCOMING_DAYS))
        .aggregate(
            today=Count("pk", filter=Q(due_on__gte=overdue_on, due_on__lte=today)),
            this_week=Count("pk", filter=Q(due_on__gt=today)),
            overdue=Count("pk", filter=Q(due_on__lt=overdue_on)),
        )
    )
    waiting = Enrolment.objects.waiting_list(centre).select_related("client", "course")
    loans = (
        LoanApplication.objects.filter(centre=centre, state__in=loan_states_to_act_on(principal))
        .select_related("client")
        .order_by("created_at", "pk")
    )
    return CentreHome(
        centre=centre,
        seats_used=seats_taken(centre),
        waiting_count=waiting.count(),
        waiting=list(waiting[:WAITING_SHOWN]),
        follow_ups_today=follow_ups["today"],
        follow_ups_this_week=follow_ups["this_week"],
        follow_ups_overdue=follow_ups["overdue"],
        loans_to_act_on=list(loans[:LOANS_SHOWN]),
        loans_to_act_on_count=loans.count(),
        arrears_follow_ups=ArrearsFollowUp.objects.filter(
            loan__centre=centre, assigned_to=user, closed_at__isnull=True
        ).count(),
        activity=recent_activity(centre),
    )


def _label(actions, action: str) -> str:
    return actions(action).label if action in actions.values else action


def recent_activity(centre: Centre, limit: int = RECENT_ACTIVITY) -> list[Activity]:
    """The centre's latest steps on enrolments and loans, newest first: two queries."""
    steps = [
        Activity(
            t.at,
            t.by,
            _label(EnrolmentAction, t.action),
            t.enrolment.client,
            "clients:detail",
            t.enrolment.client_id,
        )
        for t in EnrolmentTransition.objects.filter(enrolment__centre=centre)
        .select_related("by", "enrolment__client")
        .order_by("-at", "-pk")[:limit]
    ]
    steps += [
        Activity(
            t.at,
            t.by,
            _label(LoanAction, t.action),
            t.application.client,
            "loans:detail",
            t.application_id,
        )
        for t in LoanTransition.objects.filter(application__centre=centre)
        .select_related("by", "application__client")
        .order_by("-at", "-pk")[:limit]
    ]
    return sorted(steps, key=lambda step: step.at, reverse=True)[:limit]
