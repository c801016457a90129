"""What centre staff do about work: keep the employer list and its openings, place a client
in a job or their own business (with the year of follow-up, in the same transaction), and
record each follow-up, whose outcome moves the client's journey.

Each action is a function taking the acting user (`by=`) and the moment of the step
(`at=`, default now: a late entry keeps its real date), run in one transaction, refusing
with a `DomainError` whose message the page shows. Moves of the enrolment go through
`clients.workflow.move`, the one table of allowed moves."""

from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre
from clients.models import Enrolment, State
from clients.services import lock_enrolment
from clients.workflow import Action, check, moment, move
from hami.errors import DomainError
from hami.forms import display_date_lazy
from hami.jalali import add_months
from hami.text import localise_digits

from . import placement_page
from .models import (
    OPEN_FOLLOW_UP_STATES,
    WORKING_OUTCOMES,
    Employer,
    FollowUp,
    FollowUpStatus,
    Opening,
    Outcome,
    Placement,
    PlacementKind,
    Premises,
    ReminderKind,
    name_key,
    status_on,
)
from .reminders import queue_client_sms

# -- employers ---------------------------------------------------------------------------


def duplicate_employer(
    *, centre: Centre, name: str, city: str, company_id: str = "", other_than=None
) -> Employer | None:
    """The employer of the centre's list that these details would duplicate: the same
    national company ID, or the same name (see `models.name_key`) in the same city."""
    employers = Employer.objects.filter(centre=centre)
    if other_than is not None and other_than.pk:
        employers = employers.exclude(pk=other_than.pk)
    if company_id:
        same_id = employers.filter(company_id=company_id).first()
        if same_id is not None:
            return same_id
    return employers.filter(name_key=name_key(name), city=city.strip()).first()


def duplicate_employer_message(employer: Employer) -> str:
    return _(
        "This employer is already on the centre's list as “%(name)s” (%(city)s): open it "
        "from the employer list instead of adding it again."
    ) % {"name": employer.name, "city": employer.city}


@transaction.atomic
def save_employer(*, employer: Employer, by, at: datetime | None = None) -> Employer:
    """Add `employer` to its centre's list, or save its changes; refused when it would
    duplicate another employer of the list (by company ID, or by name and city)."""
    at = moment(at)
    taken = duplicate_employer(
        centre=employer.centre,
        name=employer.name,
        city=employer.city,
        company_id=employer.company_id,
        other_than=employer,
    )
    if taken is not None:
        raise DomainError(duplicate_employer_message(taken))
    if employer.pk is None:
        employer.created_by = by
        employer.created_at = at
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError as error:  # added meanwhile by a colleague
        raise DomainError(
            _("This employer was added to the centre's list meanwhile: open it from the list.")
        ) from error
    return employer


# -- openings ----------------------------------------------------------------------------


@transaction.atomic
def save_opening(*, opening: Opening, by, at: datetime | None = None) -> Opening:
    """Add an employer's opening, or save its changes. Places cannot drop below those
    already filled; an opening given more places than it has filled opens again."""
    at = moment(at)
    if opening.employer.centre_id != opening.centre_id:
        raise DomainError(_("Choose one of this centre's employers."))
    if opening.wage_offered is None or opening.wage_offered <= 0:
        raise DomainError(_("The wage offered must be more than zero."))
    if opening.pk is None:
        opening.created_by = by
        opening.created_at = at
    else:
        filled = Opening.objects.select_for_update().values_list("filled", flat=True)
        opening.filled = filled.get(pk=opening.pk)
        if opening.places < opening.filled:
            raise DomainError(
                _("%(filled)s places are already filled: the opening cannot have fewer.")
                % {"filled": localise_digits(str(opening.filled))}
            )
        opening.closed_at = at if opening.filled >= opening.places else None
    opening.save()
    return opening


@transaction.atomic
def close_opening(*, opening: Opening, by, at: datetime | None = None) -> None:
    at = moment(at)
    Opening.objects.filter(pk=opening.pk, closed_at__isnull=True).update(closed_at=at)


# -- placement ---------------------------------------------------------------------------

# A placement may be recorded once the job has started, or up to this many months ahead.
START_AT_MOST_MONTHS_AHEAD = 1


@transaction.atomic
def place(
    *,
    enrolment: Enrolment,
    by,
    kind: str,
    starts_on: date,
    at: datetime | None = None,
    version: int | None = None,
    employer: Employer | None = None,
    opening: Opening | None = None,
    job_title: str = "",
    skill_level: str = "",
    monthly_wage: int | None = None,
    contract_type: str = "",
    business_name: str = "",
    premises: str = "",
    activity: str = "",
    extra: dict | None = None,
) -> Placement:
    """Place the client of `enrolment` in a wage job (with an employer, maybe into one of
    its openings) or in a business of their own, from `trained`, `assessed` (a client who
    needs no training) or `seeking work`. The enrolment moves to `placed`, and the year of
    follow-up is scheduled, in this one transaction: no placement ever lacks its schedule.

    Into an opening, the opening's row is locked while its places are counted, so two staff
    placing into its last place at the same moment never overfill it; the placement that
    fills it closes it.

    `extra` holds the placement form's fields added by the apps built on placements (the
    loan that financed an own business), handed to them in this transaction: see
    `placement_page`."""
    at = moment(at)
    today = timezone.localdate(at)
    enrolment = lock_enrolment(enrolment, version=version)
    check(enrolment, Action.PLACE)
    _check_start(enrolment, starts_on, today=today)
    placement = Placement(
        centre=enrolment.centre,
        enrolment=enrolment,
        kind=kind,
        starts_on=starts_on,
        created_at=at,
        created_by=by,
    )
    if kind == PlacementKind.WAGE_JOB:
        if opening is not None:
            opening = _take_a_place(opening, centre=enrolment.centre, employer=employer, at=at)
            employer = opening.employer
        _check_employer(employer, centre=enrolment.centre)
        if monthly_wage is None or monthly_wage <= 0:
            raise DomainError(_("The monthly wage must be more than zero."))
        if not (job_title.strip() and skill_level and contract_type):
            raise DomainError(_("Enter the job title, the skill level and the contract."))
        placement.employer, placement.opening = employer, opening
        placement.job_title, placement.skill_level = job_title, skill_level
        placement.monthly_wage, placement.contract_type = monthly_wage, contract_type
    elif kind == PlacementKind.SELF_EMPLOYMENT:
        if not (business_name.strip() and premises in Premises.values and activity.strip()):
            raise DomainError(_("Enter the business's name, where it works and what it does."))
        placement.business_name, placement.premises = business_name, premises
        placement.activity = activity
    else:
        raise DomainError(_("Choose a wage job or an own business."))
    try:
        with transaction.atomic():
            placement.save(force_insert=True)
    except IntegrityError as error:
        raise DomainError(_("This client already has a current placement.")) from error
    schedule_follow_ups(placement, by=by, today=today)
    move(enrolment, Action.PLACE, by=by, at=at, reason=str(placement))
    placement_page.placed(placement, extra or {}, by=by, at=at)
    queue_client_sms(
        kind=ReminderKind.PLACEMENT_SMS,
        client=enrolment.client,
        centre_id=enrolment.centre_id,
        day=today,
        placement=placement,
    )
    return placement


def _check_start(enrolment: Enrolment, starts_on: date, *, today: date) -> None:
    began = timezone.localdate(enrolment.opened_at)
    if starts_on < began:
        raise DomainError(
            _("The work cannot start before the client's enrolment began (%(date)s).")
            % {"date": display_date_lazy(began)}
        )
    latest = add_months(today, START_AT_MOST_MONTHS_AHEAD)
    if starts_on > latest:
        raise DomainError(
            _(
                "A placement is recorded at most a month before the work starts: the start "
                "date cannot be after %(date)s."
            )
            % {"date": display_date_lazy(latest)}
        )


def _check_employer(employer: Employer | None, *, centre: Centre) -> None:
    if employer is None:
        raise DomainError(_("Choose the employer."))
    if employer.centre_id != centre.pk:
        raise DomainError(
            _("This employer is on another centre's list: choose one of this centre's employers.")
        )
    if not employer.is_active:
        raise DomainError(_("This employer is no longer active on the centre's list."))


def _take_a_place(opening: Opening, *, centre: Centre, employer, at: datetime) -> Opening:
    """Fill one place of `opening`, holding its row lock to the end of the transaction;
    the last place closes it."""
    opening = Opening.objects.select_for_update().select_related("employer").get(pk=opening.pk)
    if opening.centre_id != centre.pk:
        raise DomainError(_("Choose one of this centre's openings."))
    if employer is not None and employer.pk != opening.employer_id:
        raise DomainError(_("This opening is with another employer."))
    if opening.closed_at is not None or opening.open_until < timezone.localdate(at):
        raise DomainError(_("This opening is closed: it takes no more placements."))
    if opening.filled >= opening.places:
        raise DomainError(_("This opening is full: every place has been filled."))
    opening.filled += 1
    if opening.filled == opening.places:
        opening.closed_at = at
    opening.save(update_fields=["filled", "closed_at"])
    return opening


def follow_up_schedule(starts_on: date) -> list[tuple[int, date]]:
    """(months after the start, due date) of each follow-up of a placement starting on
    `starts_on`: whole Jalali months (`HAMI_FOLLOW_UP_MONTHS`, 1, 3, 6 and 12 by default),
    the day kept or clamped to the month's length."""
    return [(months, add_months(starts_on, months)) for months in settings.HAMI_FOLLOW_UP_MONTHS]


def schedule_follow_ups(placement: Placement, *, by, today: date) -> list[FollowUp]:
    """Create the placement's follow-ups, assigned to `by`, each with the status its dates
    give it on `today` (a placement entered late may have one already due)."""
    return FollowUp.objects.bulk_create(
        FollowUp(
            centre_id=placement.centre_id,
            placement=placement,
            months_after=months,
            due_on=due_on,
            assigned_to=by,
            status=status_on(due_on, today),
        )
        for months, due_on in follow_up_schedule(placement.starts_on)
    )


# -- follow-ups --------------------------------------------------------------------------


@transaction.atomic
def record_follow_up(
    *,
    follow_up: FollowUp,
    by,
    contacted_on: date,
    outcome: str,
    at: datetime | None = None,
    monthly_income: int | None = None,
    employer_satisfaction: int | None = None,
    client_satisfaction: int | None = None,
    notes: str = "",
    outside_window_reason: str = "",
) -> FollowUp:
    """Record a follow-up call, once. Outside its window (7 days before the due date to 14
    after) only with a reason. Its outcome moves the journey:

    - unemployed: the placement ends, its remaining follow-ups are cancelled with the
      reason, and the client is supported towards a new placement (`seeking work`);
    - working at the last follow-up of the year (12 months): employment is sustained, the
      programme's measure of success, and the enrolment closes."""
    at = moment(at)
    today = timezone.localdate(at)
    enrolment = lock_enrolment(follow_up.placement.enrolment)
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("placement", "recorded_by")
        .get(pk=follow_up.pk)
    )
    placement = follow_up.placement
    if follow_up.status == FollowUpStatus.DONE:
        raise DomainError(
            _("This follow-up was already recorded on %(date)s by %(by)s.")
            % {
                "date": display_date_lazy(follow_up.recorded_at),
                "by": follow_up.recorded_by.get_full_name() or follow_up.recorded_by.username,
            }
        )
    if follow_up.status == FollowUpStatus.CANCELLED or not placement.is_current:
        raise DomainError(_("This follow-up was cancelled: the placement has ended."))
    if enrolment.state != State.PLACED:
        raise DomainError(
            _("The client is no longer placed (“%(state)s”): this follow-up is not needed.")
            % {"state": enrolment.get_state_display()}
        )
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the outcome of the call."))
    _check_contact_date(follow_up, contacted_on, today=today)
    if not follow_up.in_window(contacted_on) and not outside_window_reason.strip():
        raise DomainError(
            _(
                "This follow-up is recorded between %(opens)s and %(closes)s. Outside those "
                "days, say why."
            )
            % {
                "opens": display_date_lazy(follow_up.opens_on),
                "closes": display_date_lazy(follow_up.closes_on),
            }
        )
    if monthly_income is not None and monthly_income < 0:
        raise DomainError(_("The monthly income cannot be negative."))
    for score in (employer_satisfaction, client_satisfaction):
        if score is not None and not 1 <= score <= 5:
            raise DomainError(_("Satisfaction is a score from 1 to 5."))

    follow_up.status = FollowUpStatus.DONE
    follow_up.contacted_on = contacted_on
    follow_up.outcome = outcome
    follow_up.monthly_income = monthly_income
    follow_up.employer_satisfaction = employer_satisfaction
    follow_up.client_satisfaction = client_satisfaction
    follow_up.notes = notes
    in_window = follow_up.in_window(contacted_on)
    follow_up.outside_window_reason = "" if in_window else outside_window_reason
    follow_up.recorded_at = at
    follow_up.recorded_by = by
    follow_up.save()

    if outcome == Outcome.UNEMPLOYED:
        reason = _("The follow-up of %(date)s found the client unemployed.") % {
            "date": display_date_lazy(contacted_on)
        }
        end_placement(placement, ended_on=contacted_on, reason=reason, at=at)
        move(enrolment, Action.END_PLACEMENT, by=by, at=at, reason=reason)
    elif outcome in WORKING_OUTCOMES and _is_last(follow_up):
        move(
            enrolment,
            Action.SUSTAIN,
            by=by,
            at=at,
            reason=_("Still in work at the %(months)s-month follow-up.")
            % {"months": localise_digits(str(follow_up.months_after))},
        )
    return follow_up


def _check_contact_date(follow_up: FollowUp, contacted_on: date, *, today: date) -> None:
    if contacted_on > today:
        raise DomainError(_("The call cannot be dated in the future."))
    if contacted_on < follow_up.placement.starts_on:
        raise DomainError(
            _("The work started on %(date)s: the call cannot come before.")
            % {"date": display_date_lazy(follow_up.placement.starts_on)}
        )


def _is_last(follow_up: FollowUp) -> bool:
    """Whether this is the placement's last follow-up: the end of the year."""
    later = FollowUp.objects.filter(
        placement_id=follow_up.placement_id, months_after__gt=follow_up.months_after
    )
    return not later.exists()


def end_placement(placement: Placement, *, ended_on: date, reason: str, at: datetime) -> int:
    """End a current placement on `ended_on` and cancel its follow-ups not yet recorded,
    with `reason`. Returns how many follow-ups were cancelled. Runs in the caller's
    transaction."""
    placement.ended_on = max(ended_on, placement.starts_on)
    placement.end_reason = reason
    placement.save(update_fields=["ended_on", "end_reason"])
    return FollowUp.objects.filter(placement=placement, status__in=OPEN_FOLLOW_UP_STATES).update(
        status=FollowUpStatus.CANCELLED, cancelled_at=at, cancel_reason=reason
    )
