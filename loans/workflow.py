"""The loan application's workflow: the one table of allowed moves, who may make each, their
guards (four eyes), and the one function that makes a move and writes it to the log.

Whether a move is allowed is answered here and nowhere else: the services call `check` and
`move`; the loan page shows a button when `can` says yes for the state (and `may` says
the user's role opens the action's page).

    draft ─► submitted ─► recommended ─► approved ─► disbursed ─► repaying ─► repaid
      │           │             │  └──► rejected       │  ▲          │
      └───────────┴─────────────┴──────┴─► withdrawn    └──┴──► defaulted ──► repaid

Steps marked `automatic` follow from a repayment or the daily arrears task; no user asks
for them, and no page offers them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from centres.roles import MANAGER, NATIONAL, STAFF, Role, principal_for
from clients.workflow import moment
from hami.errors import DomainError

from .models import LoanApplication, LoanTransition, State


class Action(models.TextChoices):
    CREATE = "create", _("Application drafted")
    SUBMIT = "submit", _("Submitted")
    RECOMMEND = "recommend", _("Recommended by the centre manager")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    DISBURSE = "disburse", _("Disbursed")
    WITHDRAW = "withdraw", _("Withdrawn")
    START_REPAYING = "start_repaying", _("First repayment received")
    REPAY_IN_FULL = "repay_in_full", _("Repaid in full")
    REOPEN = "reopen", _("Repayment reversed: a balance is owed again")
    DEFAULT = "default", _("Defaulted")
    # Logged without a move of the state (`record`): not in the table below.
    LINK_PLACEMENT = "link_placement", _("Financed business linked")
    UNLINK_PLACEMENT = "unlink_placement", _("Financed business unlinked")


@dataclass(frozen=True)
class Guard:
    """A condition beyond the state, on the application and the acting user; `refusal` is
    what the user is told when it does not hold."""

    holds: Callable[[LoanApplication, object], bool]
    refusal: Promise


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    target: State
    roles: frozenset[Role] = frozenset()  # who may ask for it; empty when automatic
    guards: tuple[Guard, ...] = ()

    @property
    def automatic(self) -> bool:
        return not self.roles


NOT_THE_RECOMMENDER = Guard(
    lambda application, by: by is None or application.recommended_by_id != by.pk,
    _("Four eyes: the user who recommended this loan cannot approve it."),
)
NOT_THE_APPROVER = Guard(
    lambda application, by: by is None or application.approved_by_id != by.pk,
    _("Four eyes: the user who approved this loan cannot record its disbursement."),
)

BEFORE_DISBURSEMENT = frozenset({State.DRAFT, State.SUBMITTED, State.RECOMMENDED, State.APPROVED})

TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(frozenset({State.DRAFT}), State.SUBMITTED, frozenset({STAFF})),
    # The centre manager may lower the amount when recommending.
    Action.RECOMMEND: Transition(
        frozenset({State.SUBMITTED}), State.RECOMMENDED, frozenset({MANAGER})
    ),
    Action.APPROVE: Transition(
        frozenset({State.RECOMMENDED}),
        State.APPROVED,
        frozenset({NATIONAL}),
        (NOT_THE_RECOMMENDER,),
    ),
    Action.REJECT: Transition(
        frozenset({State.RECOMMENDED}), State.REJECTED, frozenset({NATIONAL})
    ),
    Action.DISBURSE: Transition(
        frozenset({State.APPROVED}), State.DISBURSED, frozenset({NATIONAL}), (NOT_THE_APPROVER,)
    ),
    Action.WITHDRAW: Transition(BEFORE_DISBURSEMENT, State.WITHDRAWN, frozenset({STAFF})),
    Action.START_REPAYING: Transition(frozenset({State.DISBURSED}), State.REPAYING),
    Action.REPAY_IN_FULL: Transition(
        frozenset({State.DISBURSED, State.REPAYING, State.DEFAULTED}), State.REPAID
    ),
    Action.REOPEN: Transition(frozenset({State.REPAID}), State.REPAYING),
    Action.DEFAULT: Transition(frozenset({State.DISBURSED, State.REPAYING}), State.DEFAULTED),
}

# The centre's roles act on their own centre's applications only.
CENTRE_ROLES = frozenset({STAFF, MANAGER})


def refusal(application: LoanApplication, action: Action, *, by=None) -> str | None:
    """Why `action` is not allowed on `application` now (for the user `by`, when given),
    or None when it is. Without `by`, only the state and the guards that do not depend on
    the user are asked: what a page needs to know before asking `may`."""
    transition = TRANSITIONS[action]
    if application.state not in transition.sources:
        return _("“%(action)s” is not possible while the application is “%(state)s”.") % {
            "action": action.label,
            "state": application.get_state_display(),
        }
    if by is not None and not transition.automatic:
        principal = principal_for(by)
        roles = principal.roles & transition.roles
        own_centre = principal.centre is not None and principal.centre.pk == application.centre_id
        if not roles or (roles <= CENTRE_ROLES and not own_centre):
            return _("Your role does not allow “%(action)s”.") % {"action": action.label}
    for guard in transition.guards:
        if not guard.holds(application, by):
            return guard.refusal
    return None


def can(application: LoanApplication, action: Action, *, by=None) -> bool:
    return refusal(application, action, by=by) is None


def check(application: LoanApplication, action: Action, *, by=None) -> None:
    """Raise the user-facing refusal when `action` is not allowed now."""
    reason = refusal(application, action, by=by)
    if reason is not None:
        raise DomainError(reason)


def move(
    application: LoanApplication,
    action: Action,
    *,
    by,
    reason: str = "",
    at: datetime | None = None,
    **fields,
) -> LoanTransition:
    """Apply `action` at the moment `at` (default now): check it against the application
    as it is and the user `by` (None for the system's own steps), set the new state and the
    action's `fields`, save, and log the step. The caller holds the application's row lock,
    inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move() changes an application only inside a transaction.")
    transition = TRANSITIONS[action]
    if by is None and not transition.automatic:
        raise RuntimeError(f"{action} is a user's step: say who takes it.")
    at = moment(at)
    check(application, action, by=by)
    return _save_and_log(
        application, action, by=by, reason=reason, at=at, target=transition.target, **fields
    )


def record(
    application: LoanApplication, action: Action, *, by, at: datetime, reason: str = "", **fields
) -> LoanTransition:
    """Change `application`'s `fields` without moving its state, and log the step like a
    move (linking the business the loan financed). The caller has checked the action and
    holds the row lock, inside a transaction."""
    if action in TRANSITIONS:
        raise RuntimeError(f"{action} moves the state: use move().")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() changes an application only inside a transaction.")
    return _save_and_log(
        application, action, by=by, reason=reason, at=at, target=application.state, **fields
    )


def _save_and_log(application, action, *, by, reason, at, target, **fields) -> LoanTransition:
    last = application.transitions.order_by("-at", "-pk").values_list("at", flat=True).first()
    if last is not None and at < last:
        raise DomainError(
            _("This step cannot be dated before the application's last recorded step.")
        )
    previous = application.state
    for name, value in fields.items():
        LoanApplication._meta.get_field(name)  # a typo fails here, not silently
        setattr(application, name, value)
    application.state = target
    application.version += 1
    application.save()
    return LoanTransition.objects.create(
        application=application,
        action=action,
        from_state=previous,
        to_state=target,
        by=by,
        reason=reason,
        at=at,
    )


def move_all(applications, action: Action, *, at: datetime, reason: str = "") -> list[int]:
    """Apply the automatic `action` to every application of the queryset `applications`
    that the table allows it on, in a few set-based statements, logging each step (the
    daily sweeps, over the whole network). Returns the ids moved. The steps are dated
    `at`, the sweep's moment."""
    transition = TRANSITIONS[action]
    if not transition.automatic:
        raise RuntimeError(f"{action} is a user's step: use move().")
    moved = []
    with transaction.atomic():
        rows = list(
            applications.select_for_update()
            .filter(state__in=transition.sources)
            .values_list("pk", "state")
        )
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            LoanApplication.objects.filter(pk__in=[pk for pk, _state in chunk]).update(
                state=transition.target, version=models.F("version") + 1
            )
            LoanTransition.objects.bulk_create(
                LoanTransition(
                    application_id=pk,
                    action=action,
                    from_state=state,
                    to_state=transition.target,
                    by=None,
                    reason=reason,
                    at=at,
                )
                for pk, state in chunk
            )
            moved += [pk for pk, _state in chunk]
    return moved


def log_creation(application: LoanApplication, *, by, at: datetime) -> LoanTransition:
    return LoanTransition.objects.create(
        application=application,
        action=Action.CREATE,
        from_state="",
        to_state=application.state,
        by=by,
        at=at,
    )
