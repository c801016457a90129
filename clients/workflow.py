"""The enrolment state machine: the one table of allowed moves, and the one function that
makes a move and writes it to the transition log."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hami.errors import DomainError

from .models import CLOSED_STATES, OPEN_STATES, Enrolment, EnrolmentTransition, State


class Action(models.TextChoices):
    REGISTER = "register", _("Registered")
    ASSESS_READY = "assess_ready", _("Assessed as ready")
    MARK_NOT_READY = "mark_not_ready", _("Not ready yet")
    JOIN_WAITING_LIST = "join_waiting_list", _("Put on the waiting list")
    OFFER_SEAT = "offer_seat", _("Seat offered")
    SKIP_SEAT = "skip_seat", _("Seat offer skipped")
    START_TRAINING = "start_training", _("Started training")
    FINISH_TRAINING = "finish_training", _("Finished training")
    PLACE = "place", _("Placed in work")
    SUSTAIN = "sustain", _("Sustained in work")
    WITHDRAW = "withdraw", _("Withdrawn")


# action: (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[State], State]] = {
    Action.ASSESS_READY: (
        frozenset({State.INTAKE, State.ASSESSED, State.NOT_READY}),
        State.ASSESSED,
    ),
    Action.MARK_NOT_READY: (OPEN_STATES, State.NOT_READY),
    Action.JOIN_WAITING_LIST: (frozenset({State.ASSESSED}), State.WAITING),
    Action.OFFER_SEAT: (frozenset({State.WAITING}), State.WAITING),
    Action.SKIP_SEAT: (frozenset({State.WAITING}), State.WAITING),
    Action.START_TRAINING: (frozenset({State.ASSESSED, State.WAITING}), State.TRAINING),
    Action.FINISH_TRAINING: (frozenset({State.TRAINING}), State.TRAINED),
    Action.PLACE: (frozenset({State.TRAINED}), State.PLACED),
    Action.SUSTAIN: (frozenset({State.PLACED}), State.SUSTAINED),
    Action.WITHDRAW: (OPEN_STATES, State.WITHDRAWN),
}


def can(enrolment: Enrolment, action: Action) -> bool:
    sources, _target = TRANSITIONS[action]
    return enrolment.state in sources


def check(enrolment: Enrolment, action: Action) -> None:
    """Raise the user-facing refusal when `action` is not allowed from the current state."""
    if not can(enrolment, action):
        raise DomainError(
            _("“%(action)s” is not possible while the enrolment is “%(state)s”.")
            % {"action": action.label, "state": enrolment.get_state_display()}
        )


def move(
    enrolment: Enrolment, action: Action, *, by, reason: str = "", at=None
) -> EnrolmentTransition:
    """Apply `action`: check it, set the new state, save the enrolment and log the step.
    Callers set the action's own fields on `enrolment` first and run inside a transaction."""
    from django.utils import timezone

    check(enrolment, action)
    _sources, target = TRANSITIONS[action]
    previous = enrolment.state
    enrolment.state = target
    if target in CLOSED_STATES:
        enrolment.closed_at = at or timezone.now()
    enrolment.save()
    return EnrolmentTransition.objects.create(
        enrolment=enrolment,
        action=action,
        from_state=previous,
        to_state=target,
        by=by,
        reason=reason,
    )


def log_registration(enrolment: Enrolment, *, by) -> EnrolmentTransition:
    return EnrolmentTransition.objects.create(
        enrolment=enrolment, action=Action.REGISTER, from_state="", to_state=enrolment.state, by=by
    )
