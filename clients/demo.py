"""Demo clients for `manage.py seed_demo`: each centre's courses, clients and journeys.

`seed_demo` calls `seed(seed)` here because this is the clients app's `demo` module (see
the command's docstring). For every seeded centre it makes the courses of a few training
rounds around today (finished, running now, starting soon) and clients in a realistic mix
of states: at intake, assessed, not ready (some due for review today or earlier), in
training, on the waiting list, trained and withdrawn. The three centres with demo logins
are full: every seat taken, a waiting list, and one freed seat offered to the first in line.

The journeys are real, not painted on. Each client's steps are planned on days in the
past; then a centre's steps are played in date order through `clients.services`, each
passed its moment (`at=`) as a late entry would be. So the transition log, the waiting
list and seat offers, the history records and every timestamp are what the system would
have written on those days, and the seat rule holds as for real users. The words the
clients are made of are in `clients.demo_words`.

Idempotent per centre: a centre whose first demo welfare file number (`THR-01-00001`)
exists is left alone. Reproducible: each centre draws from its own `random.Random`, seeded
with the centre's code and the scale (dates are relative to the day of the run).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import jdatetime
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from centres import demo_data
from centres.models import Centre, Course, Membership, Trade
from centres.roles import NATIONAL_OFFICE_GROUP
from hami.text import normalise_text, to_persian_digits
from hami.validators import national_code_check_digit

from . import demo_words as words
from . import services
from .demo_mix import Mix, plan_mix
from .models import Category, Client, Enrolment, Gender, IdType

if TYPE_CHECKING:
    from centres.management.commands.seed_demo import Seed

TWO_COURSES_ABOVE = 30  # more trainees than this train in two parallel courses

# -- entry point -------------------------------------------------------------------------


def file_number(centre_code: str, n: int) -> str:
    return f"{centre_code}-{n:05d}"


def seed(seed: Seed) -> None:
    """Courses and clients for every centre in `seed.centres` that has none yet."""
    trades = list(Trade.objects.filter(is_active=True).order_by("code"))
    if len(trades) < 4:
        raise CommandError("The trades are missing: run `manage.py migrate` first.")
    now = timezone.now()
    taken = set(
        Client.objects.filter(id_type=IdType.NATIONAL_CODE).values_list("id_number", flat=True)
    )
    for code, centre in seed.centres.items():
        if Client.objects.filter(welfare_file_number=file_number(code, 1)).exists():
            _count_existing(seed, centre)
            continue
        rng = random.Random(f"hami-demo:{code}:{seed.scale}")
        builder = CentreBuilder(
            centre=centre,
            rng=rng,
            now=now,
            actors=_actors(seed, centre),
            trades=trades,
            taken_codes=taken,
        )
        mix = plan_mix(
            rng,
            scale=seed.scale,
            capacity=centre.training_capacity,
            full=code in _centres_with_demo_logins(),
        )
        builder.build(mix, scale=seed.scale, seed=seed)


def _count_existing(seed: Seed, centre: Centre) -> None:
    clients = Client.objects.filter(
        centre=centre, welfare_file_number__startswith=f"{centre.code}-"
    )
    for kind, queryset in (
        ("courses", Course.objects.filter(centre=centre)),
        ("clients", clients),
        ("enrolments", Enrolment.objects.filter(client__in=clients)),
    ):
        seed.count(kind, "unchanged", queryset.count())


def _centres_with_demo_logins() -> set[str]:
    return {row.centre_code for row in demo_data.USERS if row.centre_code}


def _actors(seed: Seed, centre: Centre) -> list:
    """Who does the centre's work: its demo staff (twice as often) and manager, or else an
    administrator or the national office."""
    roles = {
        (row.centre_code, row.role): seed.users.get(row.username)
        for row in demo_data.USERS
        if row.centre_code
    }
    staff = roles.get((centre.code, Membership.Role.STAFF))
    manager = roles.get((centre.code, Membership.Role.MANAGER))
    actors = [user for user in (staff, staff, manager) if user is not None]
    if actors:
        return actors
    User = get_user_model()
    fallback = (
        next((u for u in seed.users.values() if u.is_superuser), None)
        or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        or User.objects.filter(groups__name=NATIONAL_OFFICE_GROUP).order_by("pk").first()
    )
    if fallback is None:
        raise CommandError("No user to record the demo clients' steps: seed the users first.")
    return [fallback]


# -- the plan ----------------------------------------------------------------------------

REGISTER, ASSESS, REQUEST, FINISH, WITHDRAW = "register", "assess", "request", "finish", "withdraw"


@dataclass
class Step:
    at: datetime
    action: str
    args: dict


@dataclass
class Plan:
    """One client: what to register, who records it, and the dated steps of the journey."""

    number: int
    by: object
    fields: dict
    steps: list[Step] = field(default_factory=list)
    enrolment: Enrolment | None = None


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _saturday_on_or_before(day: date) -> date:
    """Iranian weeks start on Saturday; courses do too."""
    return day - _days((day.weekday() - 5) % 7)


def _jalali(day: date) -> jdatetime.date:
    return jdatetime.date.fromgregorian(date=day)


class CentreBuilder:
    def __init__(self, *, centre, rng, now, actors, trades, taken_codes):
        self.centre = centre
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.actors = actors
        self.trades = trades
        self.taken_codes = taken_codes
        self.plans: list[Plan] = []

    # dates ---------------------------------------------------------------------------

    def between(self, first: date, last: date) -> date:
        if last <= first:
            return last
        return first + _days(self.rng.randint(0, (last - first).days))

    def moment(self, day: date) -> datetime:
        """A moment in office hours on `day`, or on the working day before when `day` is a
        Friday (the weekend) or the moment is still to come."""
        at = self.now
        while at >= self.now:
            if day.weekday() == 4:  # Friday
                day -= _days(1)
            at = timezone.make_aware(
                datetime.combine(day, time(self.rng.randint(8, 13), self.rng.randint(0, 59)))
            )
            day -= _days(1)
        return at

    # courses -------------------------------------------------------------------------

    def make_courses(self, mix: Mix, *, scale: str, seed: Seed) -> dict[str, list[Course]]:
        today, rng = self.today, self.rng
        running_start = _saturday_on_or_before(today - _days(rng.randint(40, 60)))
        starts = [("running", running_start, 7 * rng.randint(14, 18))]
        if mix.training > TWO_COURSES_ABOVE:
            starts.append(("running", running_start + _days(14), 7 * rng.randint(14, 18)))
        upcoming_start = _saturday_on_or_before(today + _days(rng.randint(18, 35)))
        starts.append(("upcoming", upcoming_start, 7 * rng.randint(12, 16)))
        # Finished rounds, one after another, back from the running course.
        earliest = today - _days(730 if scale == "national" else 240)
        if self.centre.opened_on:
            earliest = max(earliest, self.centre.opened_on + _days(30))
        rounds = 0
        start = running_start
        while True:
            start = _saturday_on_or_before(start - _days(rng.randint(105, 125)))
            if start < earliest and rounds:
                break
            starts.append(("finished", start, 7 * rng.randint(12, 14)))
            rounds += 1
            if scale != "national":
                break
        trades = rng.sample(self.trades, min(len(starts), len(self.trades)))
        courses: dict[str, list[Course]] = {"finished": [], "running": [], "upcoming": []}
        for index, (role, starts_on, length) in enumerate(starts):
            trade = trades[index % len(trades)]
            course, outcome = self.course(trade, starts_on, starts_on + _days(length - 3))
            courses[role].append(course)
            seed.count("courses", outcome)
        courses["finished"].sort(key=lambda c: c.starts_on)
        return courses

    def course(self, trade: Trade, starts_on: date, ends_on: date) -> tuple[Course, str]:
        rng = self.rng
        jalali = _jalali(starts_on)
        season = words.SEASONS[(jalali.month - 1) // 3 + 1]
        title = normalise_text(
            f"{trade.name_fa} {rng.choice(words.LEVELS)} — گروه {season} {to_persian_digits(str(jalali.year))}"
        )
        existing = Course.objects.filter(centre=self.centre, title=title).first()
        if existing is not None:
            return existing, "unchanged"
        instructor_names = words.FEMALE_NAMES if rng.random() < 0.6 else words.MALE_NAMES
        return (
            Course.objects.create(
                centre=self.centre,
                trade=trade,
                title=title,
                starts_on=starts_on,
                ends_on=ends_on,
                hours=rng.choice([120, 150, 180, 210, 240, 300]),
                instructor=f"{rng.choice(instructor_names)} {rng.choice(words.LAST_NAMES)}",
                awards_certificate=rng.random() < 0.7,
            ),
            "created",
        )

    # clients -------------------------------------------------------------------------

    def new_plan(self, registered: date) -> Plan:
        """A client registered on `registered`, with their personal details."""
        rng, centre = self.rng, self.centre
        number = len(self.plans) + 1
        female = rng.random() < 0.6
        if female and rng.random() < 0.5:
            category = Category.FEMALE_HEAD
        elif rng.random() < 0.82:
            category = _weighted(rng, words.DISABILITIES)
        else:
            category = Category.OTHER
        age_days = int(rng.triangular(18, 55, 32) * 365.2425)
        birth_date = registered - _days(min(max(age_days, 18 * 366), 55 * 365 - 2))
        plan = Plan(
            number=number,
            by=rng.choice(self.actors),
            fields={
                "id_number": self.national_code(),
                "welfare_file_number": file_number(centre.code, number),
                "first_name": rng.choice(words.FEMALE_NAMES if female else words.MALE_NAMES),
                "last_name": rng.choice(words.LAST_NAMES),
                "father_name": rng.choice(words.FATHER_NAMES),
                "gender": Gender.FEMALE if female else Gender.MALE,
                "birth_date": birth_date,
                "mobile": rng.choice(words.MOBILE_PREFIXES) + f"{rng.randint(0, 9_999_999):07d}",
                "province": centre.province,
                "city": centre.city,
                "address": to_persian_digits(
                    f"{centre.city}، {rng.choice(words.STREETS)}، کوچه {rng.randint(1, 40)}، "
                    f"پلاک {rng.randint(1, 120)}"
                ),
                "category": category,
                "education": _weighted(rng, words.EDUCATION),
            },
        )
        self.plans.append(plan)
        self.step(plan, registered, REGISTER)
        return plan

    def national_code(self) -> str:
        while True:
            first_nine = f"{self.rng.randint(0, 999_999_999):09d}"
            if len(set(first_nine)) == 1:
                continue
            code = first_nine + str(national_code_check_digit(first_nine))
            if code not in self.taken_codes:
                self.taken_codes.add(code)
                return code

    def step(self, plan: Plan, day: date, action: str, **args) -> None:
        at = self.moment(day)
        if plan.steps and at <= plan.steps[-1].at:  # keep each journey in order
            at = plan.steps[-1].at + timedelta(minutes=self.rng.randint(5, 40))
        plan.steps.append(Step(at, action, args))

    def assessment(self, plan: Plan, *, ready: bool, trades=(), review_on=None) -> dict:
        return words.assessment(
            self.rng,
            category=plan.fields["category"],
            ready=ready,
            trades=trades,
            any_trade=self.trades,
            review_on=review_on,
        )

    def assessed_by(self, plan: Plan, registered: date, ready_by: date, trades=()) -> None:
        """Assess `plan` as ready no later than `ready_by`; now and then after a first
        assessment found them not ready yet and the review found them ready."""
        rng = self.rng
        day = registered
        if (ready_by - registered).days > 60 and rng.random() < 0.1:
            first = registered + _days(rng.randint(2, 10))
            review_on = self.between(first + _days(30), ready_by)
            self.step(
                plan, first, ASSESS, **self.assessment(plan, ready=False, review_on=review_on)
            )
            day = review_on
        else:
            day = self.between(registered + _days(1), min(registered + _days(14), ready_by))
        self.step(plan, day, ASSESS, **self.assessment(plan, ready=True, trades=trades))

    def registered_before(self, day: date, *, earliest: int, latest: int) -> date:
        registered = day - _days(self.rng.randint(earliest, latest))
        if self.centre.opened_on and registered < self.centre.opened_on:
            registered = min(self.centre.opened_on, day - _days(earliest))
        return registered

    # journeys ------------------------------------------------------------------------

    def build(self, mix: Mix, *, scale: str, seed: Seed) -> None:
        rng, today = self.rng, self.today
        courses = self.make_courses(mix, scale=scale, seed=seed)
        finished, running = courses["finished"], courses["running"]
        upcoming = courses["upcoming"][0]

        # Past rounds: trainees who finished, and a few who left during the course.
        past = [("trained", i) for i in range(mix.trained)]
        past += [("left", i) for i in range(mix.withdrawn_in_training)]
        rng.shuffle(past)
        del past[len(finished) * self.centre.training_capacity :]  # one round fills at most
        for index, (outcome, _) in enumerate(past):
            course = finished[index % len(finished)]
            registered = self.registered_before(course.starts_on, earliest=10, latest=100)
            plan = self.new_plan(registered)
            self.assessed_by(plan, registered, course.starts_on - _days(1), [course.trade])
            started = course.starts_on + _days(rng.randint(0, 7))
            self.step(plan, started, REQUEST, course=course)
            if outcome == "trained":
                certificate = ""
                if course.awards_certificate:
                    certificate = f"{_jalali(course.ends_on).year}-{rng.randint(10_000, 99_999)}"
                self.step(
                    plan,
                    course.ends_on,
                    FINISH,
                    finished_on=course.ends_on,
                    attendance_percent=rng.randint(75, 100),
                    certificate_number=certificate,
                )
            else:
                left = started + _days(rng.randint(7, max(8, (course.ends_on - started).days - 7)))
                self.step(
                    plan, left, WITHDRAW, reason=rng.choice(words.TRAINING_WITHDRAWAL_REASONS)
                )

        # In training now: everyone starts in the first two weeks of a running course.
        trainees = []
        for index in range(mix.training):
            course = running[index % len(running)]
            registered = self.registered_before(course.starts_on, earliest=10, latest=90)
            plan = self.new_plan(registered)
            self.assessed_by(plan, registered, course.starts_on - _days(1), [course.trade])
            self.step(plan, course.starts_on + _days(rng.randint(0, 10)), REQUEST, course=course)
            trainees.append(plan)

        # A full centre: the line forms after the last trainee started; a few days ago one
        # trainee left, and their seat was offered to the first in line.
        if mix.waiting:
            first_day = max(c.starts_on for c in running) + _days(11)
            days = sorted(self.between(first_day, today - _days(3)) for _ in range(mix.waiting))
            for index, day in enumerate(days):
                course = running[0] if index == 0 else rng.choice([*running, upcoming])
                registered = day - _days(rng.randint(7, 25))
                plan = self.new_plan(registered)
                self.assessed_by(plan, registered, day - _days(1), [course.trade])
                self.step(plan, day, REQUEST, course=course)
            leaver = rng.choice(trainees)
            self.step(
                leaver,
                today - _days(rng.randint(1, 2)),
                WITHDRAW,
                reason=words.MOVED_AWAY,
            )

        window = 700 if scale == "national" else 300
        for _ in range(mix.withdrawn_early):
            registered = self.registered_before(today, earliest=30, latest=window)
            plan = self.new_plan(registered)
            kind = rng.choice(["intake", "assessed", "assessed", "not_ready"])
            if kind == "intake":
                left = registered + _days(rng.randint(7, 25))
                reason = words.EARLY_WITHDRAWAL_REASONS[0]
            elif kind == "assessed":
                assessed = registered + _days(rng.randint(2, 10))
                self.step(plan, assessed, ASSESS, **self.assessment(plan, ready=True))
                left = assessed + _days(rng.randint(5, 20))
                reason = rng.choice(words.EARLY_WITHDRAWAL_REASONS[1:])
            else:
                assessed = registered + _days(rng.randint(2, 10))
                review_on = assessed + _days(rng.randint(30, 60))
                self.step(
                    plan,
                    assessed,
                    ASSESS,
                    **self.assessment(plan, ready=False, review_on=review_on),
                )
                left = review_on + _days(rng.randint(0, 14))
                reason = rng.choice(words.NOT_READY_WITHDRAWAL_REASONS)
            self.step(plan, min(left, today - _days(1)), WITHDRAW, reason=reason)

        # Not ready yet: the first two are due for review (today or earlier).
        for index in range(mix.not_ready):
            if index < 2:
                review_on = today - _days(rng.randint(0, 10))
                assessed = review_on - _days(rng.randint(30, 90))
            else:
                assessed = today - _days(rng.randint(10, 150))
                review_on = assessed + _days(rng.randint(30, 120))
            registered = assessed - _days(rng.randint(2, 12))
            plan = self.new_plan(registered)
            self.step(
                plan, assessed, ASSESS, **self.assessment(plan, ready=False, review_on=review_on)
            )

        for _ in range(mix.assessed):
            registered = today - _days(rng.randint(8, 60))
            plan = self.new_plan(registered)
            assessed = self.between(
                registered + _days(2), min(registered + _days(14), today - _days(1))
            )
            trades = [upcoming.trade] if rng.random() < 0.6 else []
            self.step(plan, assessed, ASSESS, **self.assessment(plan, ready=True, trades=trades))

        for _ in range(mix.intake):
            self.new_plan(today - _days(rng.randint(0, 14)))

        self.play()
        seed.count("clients", "created", len(self.plans))
        seed.count("enrolments", "created", len(self.plans))

    # playing the plan ------------------------------------------------------------------

    def play(self) -> None:
        """Run every step through the services, in date order, on the step's moment."""
        steps = sorted(
            (
                (step.at, plan.number, index, plan, step)
                for plan in self.plans
                for index, step in enumerate(plan.steps)
            ),
            key=lambda item: item[:3],
        )
        for _at, _number, _index, plan, step in steps:
            self.do(plan, step)

    def do(self, plan: Plan, step: Step) -> None:
        if step.action == REGISTER:
            client = services.register_client(
                centre=self.centre, by=plan.by, at=step.at, **plan.fields
            )
            plan.enrolment = Enrolment.objects.get(client=client)
            return
        args = dict(step.args)
        if step.action == ASSESS:
            args["assessed_on"] = timezone.localdate(step.at)
        service = {
            ASSESS: services.record_assessment,
            REQUEST: services.request_training,
            FINISH: services.finish_training,
            WITHDRAW: services.withdraw,
        }[step.action]
        service(enrolment=plan.enrolment, by=plan.by, at=step.at, **args)


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]
