"""The enrolment state machine: the one table of allowed moves, with their guards, and the
one function that makes a move and writes it to the transition log.

Whether a move is allowed is answered here and nowhere else: the services call `check` and
`move`, and the client page shows a button when `can` says yes (and the user's role lets
them use the action's page)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hami.errors import DomainError

from .models import CLOSED_STATES, OPEN_STATES, Client, Enrolment, EnrolmentTransition, State


class Action(models.TextChoices):
    REGISTER = "register", _("Registered")
    ASSESS_READY = "assess_ready", _("Assessed as ready")
    ASSESS_NOT_READY = "assess_not_ready", _("Assessed as not ready yet")
    MARK_NOT_READY = "mark_not_ready", _("Not ready yet")
    JOIN_WAITING_LIST = "join_waiting_list", _("Put on the waiting list")
    OFFER_SEAT = "offer_seat", _("Seat offered")
    SKIP_SEAT = "skip_seat", _("Seat offer skipped")
    START_TRAINING = "start_training", _("Started training")
    CONFIRM_SEAT = "confirm_seat", _("Seat confirmed: started training")
    FINISH_TRAINING = "finish_training", _("Finished training")
    PLACE = "place", _("Placed in work")
    SUSTAIN = "sustain", _("Sustained in work")
    END_PLACEMENT = "end_placement", _("Job ended: support for a new placement")
    WITHDRAW = "withdraw", _("Withdrawn")


@dataclass(frozen=True)
class Guard:
    """A condition on the enrolment, beyond its state, that a move needs; `refusal` is
    what the user is told when it does not hold."""

    holds: Callable[[Enrolment], bool]
    refusal: Promise


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State
    guards: tuple[Guard, ...] = ()


SEAT_ON_OFFER = Guard(
    lambda enrolment: enrolment.seat_offered_at is not None,
    _("No seat is on offer for this client."),
)
NO_SEAT_ON_OFFER = Guard(
    lambda enrolment: enrolment.seat_offered_at is None,
    _("A seat is already on offer for this client."),
)

ASSESSABLE = frozenset({State.INTAKE, State.ASSESSED, State.NOT_READY})
PLACEABLE = frozenset({State.TRAINED, State.ASSESSED, State.SEEKING_WORK})

TRANSITIONS: dict[Action, Transition] = {
    # An assessment decides: ready, or not ready yet (with a referral and a review date).
    # A review of a not-ready client may find them still not ready.
    Action.ASSESS_READY: Transition(ASSESSABLE, State.ASSESSED),
    Action.ASSESS_NOT_READY: Transition(ASSESSABLE, State.NOT_READY),
    # Parking an open enrolment by hand (an illness, a family crisis); not one already parked.
    Action.MARK_NOT_READY: Transition(OPEN_STATES - {State.NOT_READY}, State.NOT_READY),
    Action.START_TRAINING: Transition(frozenset({State.ASSESSED}), State.TRAINING),
    Action.JOIN_WAITING_LIST: Transition(frozenset({State.ASSESSED}), State.WAITING),
    Action.OFFER_SEAT: Transition(frozenset({State.WAITING}), State.WAITING, (NO_SEAT_ON_OFFER,)),
    Action.SKIP_SEAT: Transition(frozenset({State.WAITING}), State.WAITING, (SEAT_ON_OFFER,)),
    Action.CONFIRM_SEAT: Transition(frozenset({State.WAITING}), State.TRAINING, (SEAT_ON_OFFER,)),
    Action.FINISH_TRAINING: Transition(frozenset({State.TRAINING}), State.TRAINED),
    # Placed in work after training, straight after the assessment (a client who needs no
    # training), or again after a job that ended.
    Action.PLACE: Transition(PLACEABLE, State.PLACED),
    # The year of follow-up ends with the client in work (placements.services).
    Action.SUSTAIN: Transition(frozenset({State.PLACED}), State.SUSTAINED),
    # A follow-up finds the client unemployed: the placement ends and the centre supports
    # them towards a new one.
    Action.END_PLACEMENT: Transition(frozenset({State.PLACED}), State.SEEKING_WORK),
    Action.WITHDRAW: Transition(OPEN_STATES, State.WITHDRAWN),
}


def refusal(enrolment: Enrolment, action: Action) -> str | None:
    """Why `action` is not allowed on `enrolment` now, or None when it is."""
    transition = TRANSITIONS[action]
    if enrolment.state not in transition.sources:
        return _("“%(action)s” is not possible while the enrolment is “%(state)s”.") % {
            "action": action.label,
            "state": enrolment.get_state_display(),
        }
    for guard in transition.guards:
        if not guard.holds(enrolment):
            return guard.refusal
    return None


def can(enrolment: Enrolment, action: Action) -> bool:
    return refusal(enrolment, action) is None


def check(enrolment: Enrolment, action: Action) -> None:
    """Raise the user-facing refusal when `action` is not allowed on `enrolment` now."""
    reason = refusal(enrolment, action)
    if reason is not None:
        raise DomainError(reason)


def move(
    enrolment: Enrolment,
    action: Action,
    *,
    by,
    reason: str = "",
    at: datetime | None = None,
    **fields,
) -> EnrolmentTransition:
    """Apply `action` at the moment `at` (default now): check it against the enrolment as
    it is, set the new state and the action's own `fields` (`seat_offered_at=…`), save the
    enrolment and log the step. The caller holds the enrolment's row lock, inside a
    transaction (refused otherwise: the check and the write must not be split)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move() changes an enrolment only inside a transaction.")
    at = moment(at)
    check(enrolment, action)
    last = enrolment.transitions.order_by("-at", "-pk").values_list("at", flat=True).first()
    if last is not None and at < last:
        raise DomainError(_("This step cannot be dated before the enrolment's last recorded step."))
    target = TRANSITIONS[action].target
    previous = enrolment.state
    for name, value in fields.items():
        Enrolment._meta.get_field(name)  # a typo fails here, not silently
        setattr(enrolment, name, value)
    enrolment.state = target
    enrolment.closed_at = at if target in CLOSED_STATES else None
    enrolment.version += 1
    save_dated(enrolment, at=at, by=by)
    # The client's copy of their current enrolment's state (`Client.current_state`).
    Client.objects.filter(pk=enrolment.client_id, current_enrolment=enrolment).update(
        current_state=target
    )
    return EnrolmentTransition.objects.create(
        enrolment=enrolment,
        action=action,
        from_state=previous,
        to_state=target,
        by=by,
        reason=reason,
        at=at,
    )


def log_registration(
    enrolment: Enrolment, *, by, at: datetime | None = None
) -> EnrolmentTransition:
    return EnrolmentTransition.objects.create(
        enrolment=enrolment,
        action=Action.REGISTER,
        from_state="",
        to_state=enrolment.state,
        by=by,
        at=moment(at),
    )


def moment(at: datetime | None) -> datetime:
    """The moment a step happened: `at` as given (a late entry keeps its real date), or
    now. Naive datetimes are refused: they would be read in the server's zone."""
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime.")
    return at


def save_dated(instance: models.Model, *, at: datetime, by, **save_options) -> None:
    """Save `instance` with the history record django-simple-history writes dated `at` and
    naming `by` (outside a request its middleware cannot name the user)."""
    instance._history_date = at
    instance._history_user = by
    try:
        instance.save(**save_options)
    finally:
        del instance._history_date, instance._history_user
