"""Moving a client's file to another centre: the request, the decision, the move.

The receiving centre's staff ask (`request_transfer`), the sending centre's manager or the
national office agree or refuse (`decide`), and the national office may move a file on its
own (`transfer_now`). Agreeing moves, in one transaction, the client and their journey
(`clients.services.transfer_client`, which asks the transition table where it goes on),
their current job and its calls not yet made (`placements.services.follow_transfer`).
Loans stay with the centre that lent them, in the credit line's ledger.

A transfer works on two centres at once, so these services open the all-centres scope on
purpose; who may act on which request is the views' access rule."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from centres.models import Centre, Membership
from centres.roles import MembershipRole
from centres.scoping import all_centres_scope
from clients.models import Client
from clients.services import transfer_client
from clients.workflow import moment
from hami.errors import DomainError
from placements.services import follow_transfer

from .models import Status, Transfer


def _pending_refusal() -> str:
    return _(
        "A transfer of this client's file is already waiting for a decision. The national "
        "office can tell you more."
    )


def request_transfer(
    *, id_type: str, id_number: str, to_centre: Centre, by, reason: str, at: datetime | None = None
) -> Transfer:
    """The receiving centre's staff ask for the file of the client registered elsewhere
    with this identity document. They learn nothing of the file: not even the client's
    name or centre."""
    at = moment(at)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    with all_centres_scope(), transaction.atomic():
        client = Client.objects.filter(id_type=id_type, id_number=id_number).first()
        if client is None:
            raise DomainError(
                _("No client is registered with this identity number: register them instead.")
            )
        if client.centre_id == to_centre.pk:
            raise DomainError(_("This client is already registered at your centre."))
        return _create(client=client, to_centre=to_centre, by=by, reason=reason, at=at)


def _create(*, client, to_centre, by, reason, at, **decided) -> Transfer:
    transfer = Transfer(
        client=client,
        from_centre_id=client.centre_id,
        to_centre=to_centre,
        reason=reason,
        requested_by=by,
        requested_at=at,
        **decided,
    )
    try:
        with transaction.atomic():
            transfer.save(force_insert=True)
    except IntegrityError as error:  # another request for the client came first
        raise DomainError(_pending_refusal()) from error
    return transfer


def decide(
    *, transfer: Transfer, by, agree: bool, reason: str, at: datetime | None = None
) -> Transfer:
    """Agree (the file moves now) or refuse, with a reason. The request's row is locked, so
    two decisions at the same moment (the manager and the national office) make one."""
    at = moment(at)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    with all_centres_scope(), transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if not transfer.is_pending:
            raise DomainError(_("This request has already been decided."))
        transfer.status = Status.AGREED if agree else Status.REFUSED
        transfer.decided_by, transfer.decided_at, transfer.decision_reason = by, at, reason
        transfer.save()
        if agree:
            _move(transfer, by=by, at=at)
    return transfer


def transfer_now(
    *, client: Client, to_centre: Centre, by, reason: str, at: datetime | None = None
) -> Transfer:
    """The national office moves a file on its own: the transfer is made and agreed at once."""
    at = moment(at)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    with all_centres_scope(), transaction.atomic():
        client = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
        # The rows `transfer_client` locks, in its order, before the request's row refers
        # to them: inserting it takes a share lock on each, and upgrading that lock while a
        # seat service waits for the centre would deadlock.
        list(
            Centre.objects.select_for_update()
            .filter(pk__in=(client.centre_id, to_centre.pk))
            .order_by("pk")
        )
        if client.centre_id == to_centre.pk:
            raise DomainError(_("The client's file is already at this centre."))
        if Transfer.objects.filter(client=client).pending().exists():
            raise DomainError(
                _("A centre has asked for this client's file: decide that request instead.")
            )
        transfer = _create(
            client=client,
            to_centre=to_centre,
            by=by,
            reason=reason,
            at=at,
            status=Status.AGREED,
            decided_by=by,
            decided_at=at,
            decision_reason=reason,
        )
        _move(transfer, by=by, at=at)
    return transfer


def _move(transfer: Transfer, *, by, at: datetime) -> None:
    assignee = case_worker_at(transfer.to_centre, requested_by=transfer.requested_by)
    if assignee is None:
        raise DomainError(_("The receiving centre has no staff yet to take the client's file."))
    moved = transfer_client(
        client=transfer.client,
        from_centre=transfer.from_centre,
        to_centre=transfer.to_centre,
        by=by,
        reason=transfer.reason,
        at=at,
    )
    if moved.closed is not None:
        follow_transfer(closed=moved.closed, opened=moved.opened, assign_to=assignee)


def case_worker_at(centre: Centre, *, requested_by):
    """Who at the receiving centre takes over the client's calls: the staff member who
    asked for the file, or else the centre's manager, or else one of its staff."""
    members = Membership.objects.filter(centre=centre, user__is_active=True).select_related("user")
    requester = members.filter(user=requested_by).first()
    if requester is not None:
        return requester.user
    manager_first = Case(
        When(role=MembershipRole.MANAGER, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    member = members.order_by(manager_first, "user__username").first()
    return member.user if member is not None else None
