"""What centre staff do with clients: each action a function taking the acting user, run in
one transaction, refusing with a `DomainError` whose message the page shows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from centres.models import Centre, Course
from hami.errors import DomainError

from .models import Assessment, Client, Enrolment, EnrolmentTransition, State
from .workflow import Action, check, log_registration, move

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
def register_client(*, centre: Centre, by, **fields) -> Client:
    """Register a client at `centre` and open their enrolment at intake."""
    try:
        with transaction.atomic():
            client = Client.objects.create(
                centre=centre, created_by=by, consent_recorded_at=timezone.now(), **fields
            )
    except IntegrityError as error:
        raise DomainError(
            _("A client with this identity number or welfare file number is already registered.")
        ) from error
    open_enrolment(client=client, by=by)
    return client


def register_clients(*, centre: Centre, by, rows: Sequence[dict]) -> list[Client]:
    """Register many clients at `centre` at once (the bulk import), as `register_client`
    does one by one: each with an enrolment at intake, the registration in its log and
    the history of both, in a few bulk queries and one transaction; all of them or none.
    `rows` hold the fields `register_client` takes, checked beforehand."""
    now = timezone.now()
    clients = []
    for fields in rows:
        client = Client(centre=centre, created_by=by, consent_recorded_at=now, **fields)
        client.normalise_text_fields()
        clients.append(client)
    try:
        with transaction.atomic():
            clients = bulk_create_with_history(clients, Client, default_user=by, default_date=now)
            enrolments = bulk_create_with_history(
                [Enrolment(client=client, centre=centre, state=State.INTAKE) for client in clients],
                Enrolment,
                default_user=by,
                default_date=now,
            )
            # What `workflow.log_registration` writes, for every enrolment at once.
            EnrolmentTransition.objects.bulk_create(
                EnrolmentTransition(
                    enrolment=enrolment,
                    action=Action.REGISTER,
                    from_state="",
                    to_state=enrolment.state,
                    by=by,
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
def open_enrolment(*, client: Client, by) -> Enrolment:
    """A new journey at the client's centre, at intake. One open enrolment per client (a
    database constraint; two staff opening one at the same moment get the same refusal)."""
    refusal = _("This client already has an open enrolment.")
    if Enrolment.objects.filter(client=client).open().exists():
        raise DomainError(refusal)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                client=client, centre=client.centre, state=State.INTAKE
            )
    except IntegrityError as error:
        raise DomainError(refusal) from error
    log_registration(enrolment, by=by)
    return enrolment


# -- assessment --------------------------------------------------------------------------

ASSESSABLE_STATES = frozenset({State.INTAKE, State.ASSESSED, State.NOT_READY})


@transaction.atomic
def record_assessment(*, enrolment: Enrolment, by, preferred_trades=(), **fields) -> Assessment:
    """Record an assessment; the latest one drives the journey. Ready → `assessed`;
    not interested or not capable yet → `not_ready` with a referral and a review date."""
    enrolment = _locked(enrolment)
    if enrolment.state not in ASSESSABLE_STATES:
        raise DomainError(
            _(
                "A new assessment can be recorded at intake, after an assessment or while "
                "not ready, not while “%(state)s”."
            )
            % {"state": enrolment.get_state_display()}
        )
    assessment = Assessment.objects.create(client=enrolment.client, assessor=by, **fields)
    assessment.preferred_trades.set(preferred_trades)
    if assessment.is_ready:
        enrolment.review_on = None
        move(enrolment, Action.ASSESS_READY, by=by, reason=assessment.notes)
    else:
        if assessment.review_on is None:
            raise DomainError(_("Set a review date for a client who is not ready yet."))
        enrolment.review_on = assessment.review_on
        move(
            enrolment, Action.MARK_NOT_READY, by=by, reason=assessment.referral or assessment.notes
        )
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
def request_training(*, enrolment: Enrolment, course: Course, by) -> TrainingRequest:
    """Start training in `course` if the centre has a free seat and nobody is waiting for
    one; otherwise put the client at the end of the centre's waiting list. The centre row
    is locked while seats are counted, so concurrent requests never overfill it."""
    centre = _lock_centre(enrolment.centre_id)
    enrolment = _locked(enrolment)
    check(enrolment, Action.START_TRAINING)
    if enrolment.state != State.ASSESSED:
        raise DomainError(_("Only an assessed client can ask for a training seat."))
    _check_course(course, centre)
    enrolment.course = course
    queue_is_empty = not Enrolment.objects.waiting_list(centre).exists()
    if queue_is_empty and seats_taken(centre) < centre.training_capacity:
        _start_training(enrolment, by=by)
        return TrainingRequest(started=True)
    enrolment.waiting_since = _end_of_line(centre)
    move(enrolment, Action.JOIN_WAITING_LIST, by=by)
    offer_free_seats(centre=centre, by=by)
    enrolment.refresh_from_db()
    return TrainingRequest(
        started=enrolment.state == State.TRAINING, position=waiting_position(enrolment)
    )


def _end_of_line(centre: Centre) -> datetime:
    """A place in line after everyone already waiting. Taken with the centre row locked,
    so the line keeps the order in which requests got the lock, even when two requests
    read the same clock tick or two app servers' clocks disagree a little."""
    now = timezone.now()
    last = (
        Enrolment.objects.waiting_list(centre)
        .order_by("-waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    if last is not None and last >= now:
        return last + timedelta(microseconds=1)
    return now


def offer_free_seats(*, centre: Centre, by) -> list[Enrolment]:
    """Offer each free seat to the first client in line who has no offer yet. Runs inside
    the caller's transaction, with the centre row locked."""
    offered = []
    free = centre.training_capacity - seats_taken(centre)
    if free <= 0:
        return offered
    without_offer = Enrolment.objects.waiting_list(centre).filter(seat_offered_at__isnull=True)
    for enrolment in without_offer[:free]:
        enrolment.seat_offered_at = timezone.now()
        move(enrolment, Action.OFFER_SEAT, by=by)
        offered.append(enrolment)
    return offered


@transaction.atomic
def confirm_seat(*, enrolment: Enrolment, by) -> None:
    """The centre manager gives the offered seat to the client: training starts."""
    _lock_centre(enrolment.centre_id)
    enrolment = _locked(enrolment)
    if enrolment.state != State.WAITING or enrolment.seat_offered_at is None:
        raise DomainError(_("No seat is on offer for this client."))
    _check_course(enrolment.course, enrolment.centre)
    _start_training(enrolment, by=by)


@transaction.atomic
def skip_seat(*, enrolment: Enrolment, by, reason: str) -> None:
    """The manager passes the offered seat on (the client cannot start now): the client
    goes to the end of the line, and the seat is offered to the next one."""
    centre = _lock_centre(enrolment.centre_id)
    enrolment = _locked(enrolment)
    if enrolment.state != State.WAITING or enrolment.seat_offered_at is None:
        raise DomainError(_("No seat is on offer for this client."))
    if not reason.strip():
        raise DomainError(_("Say why the seat offer is skipped."))
    enrolment.seat_offered_at = None
    enrolment.waiting_since = _end_of_line(centre)
    move(enrolment, Action.SKIP_SEAT, by=by, reason=reason)
    offer_free_seats(centre=centre, by=by)


@transaction.atomic
def finish_training(
    *,
    enrolment: Enrolment,
    by,
    finished_on: date,
    attendance_percent: int,
    certificate_number: str = "",
) -> None:
    """Close the course for a trainee who completed it; their seat goes to the next in line."""
    centre = _lock_centre(enrolment.centre_id)
    enrolment = _locked(enrolment)
    check(enrolment, Action.FINISH_TRAINING)
    if enrolment.training_started_on and finished_on < enrolment.training_started_on:
        raise DomainError(_("Training cannot finish before it started."))
    if not 0 <= attendance_percent <= 100:
        raise DomainError(_("Attendance is a percentage between 0 and 100."))
    enrolment.training_finished_on = finished_on
    enrolment.attendance_percent = attendance_percent
    enrolment.certificate_number = certificate_number.strip()
    move(enrolment, Action.FINISH_TRAINING, by=by)
    offer_free_seats(centre=centre, by=by)


@transaction.atomic
def withdraw(*, enrolment: Enrolment, by, reason: str) -> None:
    """The client leaves the programme (انصراف); a seat they held goes to the next in line."""
    _leave(enrolment, Action.WITHDRAW, by=by, reason=reason)


@transaction.atomic
def mark_not_ready(*, enrolment: Enrolment, by, reason: str, review_on: date) -> None:
    """Park the enrolment until a review date (a relapse, an illness); the seat is freed."""
    _leave(enrolment, Action.MARK_NOT_READY, by=by, reason=reason, review_on=review_on)


def _leave(enrolment, action, *, by, reason, review_on=None):
    if not reason.strip():
        raise DomainError(_("Give a reason."))
    centre = _lock_centre(enrolment.centre_id)
    enrolment = _locked(enrolment)
    check(enrolment, action)
    held_a_seat = enrolment.state == State.TRAINING or enrolment.seat_offered_at is not None
    enrolment.seat_offered_at = None
    enrolment.waiting_since = None
    enrolment.review_on = review_on
    move(enrolment, action, by=by, reason=reason)
    if held_a_seat:
        offer_free_seats(centre=centre, by=by)


def _start_training(enrolment: Enrolment, *, by) -> None:
    enrolment.seat_offered_at = None
    enrolment.training_started_on = timezone.localdate()
    move(enrolment, Action.START_TRAINING, by=by)


def _check_course(course: Course | None, centre: Centre) -> None:
    if course is None or course.centre_id != centre.pk:
        raise DomainError(_("Choose one of this centre's courses."))
    if course.ends_on < timezone.localdate():
        raise DomainError(_("This course has already ended; choose a current one."))


def _lock_centre(centre_id: int) -> Centre:
    return Centre.objects.select_for_update().get(pk=centre_id)


def _locked(enrolment: Enrolment) -> Enrolment:
    """The enrolment as it is now in the database, locked for this transaction."""
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "centre")
        .get(pk=enrolment.pk)
    )
