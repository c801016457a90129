"""What centre staff do with clients: each action a function taking the acting user, run in
one transaction, refusing with a `DomainError` whose message the page shows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from centres.models import Centre, Course
from hami.errors import DomainError

from .models import Assessment, Client, Enrolment, EnrolmentTransition, ExitReason, State
from .workflow import Action, check, log_registration, moment, move, save_dated

# -- registration ------------------------------------------------------------------------


def identity_taken_message(client: Client, *, viewer_centre) -> str:
    """Say the identity number is taken without showing another centre's data."""
    if viewer_centre is not None and client.centre_id == viewer_centre.pk:
        return _("This identity number is already registered for %(name)s (file %(file)s).") % {
            "name": client.full_name,
            "file": client.welfare_file_number,
        }
    return _(
        "This identity number is already registered at another centre. Ask the national "
        "office to transfer the client's file instead of registering them again."
    )


@transaction.atomic
def register_client(*, centre: Centre, by, at: datetime | None = None, **fields) -> Client:
    """Register a client at `centre` and open their enrolment at intake, on the moment `at`
    (default now: a registration typed in late keeps its real date)."""
    at = moment(at)
    client = Client(centre=centre, created_by=by, consent_recorded_at=at, created_at=at, **fields)
    try:
        with transaction.atomic():
            save_dated(client, at=at, by=by, force_insert=True)
    except IntegrityError as error:
        raise DomainError(
            _("A client with this identity number or welfare file number is already registered.")
        ) from error
    open_enrolment(client=client, by=by, at=at)
    return client


def register_clients(*, centre: Centre, by, rows: Sequence[dict]) -> list[Client]:
    """Register many clients at `centre` at once (the bulk import), as `register_client`
    does one by one: each with an enrolment at intake, the registration in its log and
    the history of both, in a few bulk queries and one transaction; all of them or none.
    `rows` hold the fields `register_client` takes, checked beforehand."""
    now = timezone.now()
    clients = []
    for fields in rows:
        client = Client(
            centre=centre, created_by=by, consent_recorded_at=now, created_at=now, **fields
        )
        client.normalise_text_fields()
        clients.append(client)
    try:
        with transaction.atomic():
            clients = bulk_create_with_history(clients, Client, default_user=by, default_date=now)
            enrolments = bulk_create_with_history(
                [
                    Enrolment(client=client, centre=centre, state=State.INTAKE, opened_at=now)
                    for client in clients
                ],
                Enrolment,
                default_user=by,
                default_date=now,
            )
            # Each new enrolment is its client's current one (`open_enrolment` does the same).
            # The new clients are the centre's only ones without a current enrolment: one
            # statement, however long the list.
            Client.objects.filter(centre=centre, current_enrolment__isnull=True).update(
                current_enrolment=Subquery(
                    Enrolment.objects.filter(client=OuterRef("pk")).values("pk")[:1]
                ),
                current_state=State.INTAKE,
            )
            for client, enrolment in zip(clients, enrolments, strict=True):
                client.current_enrolment, client.current_state = enrolment, enrolment.state
            # What `workflow.log_registration` writes, for every enrolment at once.
            EnrolmentTransition.objects.bulk_create(
                EnrolmentTransition(
                    enrolment=enrolment,
                    action=Action.REGISTER,
                    from_state="",
                    to_state=enrolment.state,
                    by=by,
                    at=now,
                )
                for enrolment in enrolments
            )
    except IntegrityError as error:
        # Someone registered one of these clients since they were checked.
        raise DomainError(
            _(
                "One of these clients was registered meanwhile: an identity number or a "
                "welfare file number is already taken. Nothing was imported; check the file "
                "again."
            )
        ) from error
    return clients


@transaction.atomic
def open_enrolment(*, client: Client, by, at: datetime | None = None) -> Enrolment:
    """A new journey at the client's centre, at intake. One open enrolment per client (a
    database constraint; two staff opening one at the same moment get the same refusal)."""
    at = moment(at)
    refusal = _("This client already has an open enrolment.")
    if Enrolment.objects.filter(client=client).open().exists():
        raise DomainError(refusal)
    enrolment = Enrolment(client=client, centre=client.centre, state=State.INTAKE, opened_at=at)
    try:
        with transaction.atomic():
            save_dated(enrolment, at=at, by=by, force_insert=True)
    except IntegrityError as error:
        raise DomainError(refusal) from error
    # The new journey is the one the lists show: in this transaction, so they never see a
    # client whose current enrolment is not their latest.
    Client.objects.filter(pk=client.pk).update(
        current_enrolment=enrolment, current_state=enrolment.state
    )
    client.current_enrolment, client.current_state = enrolment, enrolment.state
    log_registration(enrolment, by=by, at=at)
    return enrolment


# -- assessment --------------------------------------------------------------------------


@transaction.atomic
def record_assessment(
    *,
    enrolment: Enrolment,
    by,
    preferred_trades=(),
    at: datetime | None = None,
    version: int | None = None,
    **fields,
) -> Assessment:
    """Record an assessment; the latest one drives the journey. Ready → `assessed`;
    not interested or not capable yet → `not_ready` with a referral and a review date.
    `version` is the enrolment's version the form was shown for (a stale one is refused)."""
    at = moment(at)
    enrolment = lock_enrolment(enrolment, version=version)
    assessment = Assessment(client=enrolment.client, assessor=by, created_at=at, **fields)
    if assessment.is_ready:
        action, reason = Action.ASSESS_READY, assessment.notes
    else:
        action, reason = Action.ASSESS_NOT_READY, assessment.referral or assessment.notes
    check(enrolment, action)
    if not assessment.is_ready and assessment.review_on is None:
        raise DomainError(_("Set a review date for a client who is not ready yet."))
    assessment.save()
    assessment.preferred_trades.set(preferred_trades)
    review_on = None if assessment.is_ready else assessment.review_on
    move(enrolment, action, by=by, reason=reason, at=at, review_on=review_on)
    return assessment


# -- seats and training ------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRequest:
    started: bool
    position: int | None = None  # place on the waiting list when not started


def seats_taken(centre: Centre) -> int:
    """Trainees in training, plus seats offered to the waiting list and not yet answered."""
    return (
        Enrolment.objects.filter(centre=centre)
        .filter(Q(state=State.TRAINING) | Q(state=State.WAITING, seat_offered_at__isnull=False))
        .count()
    )


def waiting_position(enrolment: Enrolment) -> int:
    ahead = Enrolment.objects.waiting_list(enrolment.centre_id).filter(
        Q(waiting_since__lt=enrolment.waiting_since)
        | Q(waiting_since=enrolment.waiting_since, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


@transaction.atomic
def request_training(
    *,
    enrolment: Enrolment,
    course: Course,
    by,
    at: datetime | None = None,
    version: int | None = None,
) -> TrainingRequest:
    """Start training in `course` if the centre has a free seat and nobody is waiting for
    one; otherwise put the client at the end of the centre's waiting list. The centre row
    is locked while seats are counted, so concurrent requests never overfill it."""
    at = moment(at)
    centre = _lock_centre(enrolment.centre_id)
    enrolment = lock_enrolment(enrolment, version=version)
    check(enrolment, Action.START_TRAINING)
    _check_course(course, centre, on=timezone.localdate(at))
    queue_is_empty = not Enrolment.objects.waiting_list(centre).exists()
    if queue_is_empty and seats_taken(centre) < centre.training_capacity:
        _start_training(enrolment, Action.START_TRAINING, by=by, at=at, course=course)
        return TrainingRequest(started=True)
    move(
        enrolment,
        Action.JOIN_WAITING_LIST,
        by=by,
        at=at,
        course=course,
        waiting_since=_end_of_line(centre, at),
    )
    offer_free_seats(centre=centre, by=by, at=at)
    enrolment.refresh_from_db()
    return TrainingRequest(
        started=enrolment.state == State.TRAINING, position=waiting_position(enrolment)
    )


def _end_of_line(centre: Centre, at: datetime) -> datetime:
    """A place in line after everyone already waiting. Taken with the centre row locked,
    so the line keeps the order in which requests got the lock, even when two requests
    read the same clock tick or two app servers' clocks disagree a little."""
    last = (
        Enrolment.objects.waiting_list(centre)
        .order_by("-waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    if last is not None and last >= at:
        return last + timedelta(microseconds=1)
    return at


def offer_free_seats(*, centre: Centre, by, at: datetime | None = None) -> list[Enrolment]:
    """Offer each free seat to the first client in line who has no offer yet. Runs inside
    the caller's transaction, with the centre row locked. A seat freed by a step entered
    late is offered on that step's date, or when the client joined the line if later."""
    at = moment(at)
    offered = []
    free = centre.training_capacity - seats_taken(centre)
    if free <= 0:
        return offered
    without_offer = Enrolment.objects.waiting_list(centre).filter(seat_offered_at__isnull=True)
    for enrolment in without_offer[:free]:
        offered_at = max(at, enrolment.waiting_since)
        move(enrolment, Action.OFFER_SEAT, by=by, at=offered_at, seat_offered_at=offered_at)
        offered.append(enrolment)
    return offered


@transaction.atomic
def confirm_seat(
    *, enrolment: Enrolment, by, at: datetime | None = None, version: int | None = None
) -> None:
    """The centre manager gives the offered seat to the client: training starts."""
    at = moment(at)
    _lock_centre(enrolment.centre_id)
    enrolment = lock_enrolment(enrolment, version=version)
    check(enrolment, Action.CONFIRM_SEAT)
    _check_course(enrolment.course, enrolment.centre, on=timezone.localdate(at))
    _start_training(enrolment, Action.CONFIRM_SEAT, by=by, at=at)


@transaction.atomic
def skip_seat(
    *,
    enrolment: Enrolment,
    by,
    reason: str,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """The manager passes the offered seat on (the client cannot start now): the client
    goes to the end of the line, and the seat is offered to the next one."""
    at = moment(at)
    centre = _lock_centre(enrolment.centre_id)
    enrolment = lock_enrolment(enrolment, version=version)
    check(enrolment, Action.SKIP_SEAT)
    if not reason.strip():
        raise DomainError(_("Say why the seat offer is skipped."))
    move(
        enrolment,
        Action.SKIP_SEAT,
        by=by,
        reason=reason,
        at=at,
        seat_offered_at=None,
        waiting_since=_end_of_line(centre, at),
    )
    offer_free_seats(centre=centre, by=by, at=at)


@transaction.atomic
def finish_training(
    *,
    enrolment: Enrolment,
    by,
    finished_on: date,
    attendance_percent: int,
    certificate_number: str = "",
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """Close the course for a trainee who completed it; their seat goes to the next in line."""
    at = moment(at)
    centre = _lock_centre(enrolment.centre_id)
    enrolment = lock_enrolment(enrolment, version=version)
    check(enrolment, Action.FINISH_TRAINING)
    if finished_on < enrolment.training_started_on:
        raise DomainError(_("Training cannot finish before it started."))
    if not 0 <= attendance_percent <= 100:
        raise DomainError(_("Attendance is a percentage between 0 and 100."))
    move(
        enrolment,
        Action.FINISH_TRAINING,
        by=by,
        at=at,
        training_finished_on=finished_on,
        attendance_percent=attendance_percent,
        certificate_number=certificate_number.strip(),
    )
    offer_free_seats(centre=centre, by=by, at=at)


@transaction.atomic
def withdraw(
    *,
    enrolment: Enrolment,
    by,
    reason: str,
    exit_reason: str = ExitReason.WITHDREW,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """The client leaves the programme (انصراف); a seat they held goes to the next in line.
    `exit_reason` says why: the client's choice, or an exit the outcome figures leave out
    (deceased, long medical treatment, institutionalised)."""
    if exit_reason not in ExitReason.values:
        raise DomainError(_("Choose why the client leaves the programme."))
    _leave(
        enrolment,
        Action.WITHDRAW,
        by=by,
        reason=reason,
        at=at,
        version=version,
        exit_reason=exit_reason,
    )


@transaction.atomic
def mark_not_ready(
    *,
    enrolment: Enrolment,
    by,
    reason: str,
    review_on: date,
    at: datetime | None = None,
    version: int | None = None,
) -> None:
    """Park the enrolment until a review date (a relapse, an illness); the seat is freed."""
    if review_on is None:
        raise DomainError(_("Set a review date for a client who is not ready yet."))
    _leave(
        enrolment,
        Action.MARK_NOT_READY,
        by=by,
        reason=reason,
        review_on=review_on,
        at=at,
        version=version,
    )


def _leave(enrolment, action, *, by, reason, review_on=None, at=None, version=None, exit_reason=""):
    at = moment(at)
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    centre = _lock_centre(enrolment.centre_id)
    enrolment = lock_enrolment(enrolment, version=version)
    check(enrolment, action)
    held_a_seat = enrolment.state == State.TRAINING or enrolment.seat_offered_at is not None
    move(
        enrolment,
        action,
        by=by,
        reason=reason,
        at=at,
        seat_offered_at=None,
        waiting_since=None,
        review_on=review_on,
        exit_reason=exit_reason,
    )
    if held_a_seat:
        offer_free_seats(centre=centre, by=by, at=at)


def _start_training(enrolment: Enrolment, action: Action, *, by, at: datetime, **fields) -> None:
    move(
        enrolment,
        action,
        by=by,
        at=at,
        seat_offered_at=None,
        training_started_on=timezone.localdate(at),
        **fields,
    )


def _check_course(course: Course | None, centre: Centre, *, on: date) -> None:
    if course is None or course.centre_id != centre.pk:
        raise DomainError(_("Choose one of this centre's courses."))
    if course.ends_on < on:
        raise DomainError(_("This course has already ended; choose a current one."))


def _lock_centre(centre_id: int) -> Centre:
    return Centre.objects.select_for_update().get(pk=centre_id)


class StaleForm(DomainError):
    """The form was shown for an older version of the enrolment: it changed since."""

    def __init__(self, message, *, version: int):
        super().__init__(message)
        self.version = version


def lock_enrolment(enrolment: Enrolment, *, version: int | None = None) -> Enrolment:
    """The enrolment as it is now in the database, locked for this transaction: every
    service that moves an enrolment, in any app, starts here. With the `version` a form was
    shown for, a file that changed since is refused, so a second tab or a retried submit
    saves nothing twice."""
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "centre")
        .get(pk=enrolment.pk)
    )
    if version is not None and version != locked.version:
        raise StaleForm(_stale_message(locked), version=locked.version)
    return locked


def _stale_message(enrolment: Enrolment) -> str:
    last = enrolment.transitions.select_related("by").order_by("-at", "-pk").first()
    if last is None or last.action not in Action.values:
        return _(
            "This client's file changed while you were filling in the form. Nothing was "
            "saved; check the file and submit again if this is still needed."
        )
    return _(
        "This client's file changed while you were filling in the form: “%(step)s”, "
        "recorded by %(by)s. Nothing was saved; check the file and submit again if this "
        "is still needed."
    ) % {"step": Action(last.action).label, "by": last.by.get_full_name() or last.by.username}
