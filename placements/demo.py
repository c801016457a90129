"""Demo employers, openings, placements and follow-ups for `seed_demo` (the convention:
centres/management/commands/seed_demo.py).

At each centre with demo logins: four employers of different kinds, openings in the
trades its trained clients learnt (so the opening page has candidates to suggest, best
first), one opening already filled and closed; and a year of placements whose follow-ups
are in every status on the day of the run — one due today, some due within the week, one
not yet open, two overdue (one long enough to be escalated to the manager), recorded ones,
a 12-month call due today that would make employment sustained, one sustained already, one
found unemployed (its placement ended, the rest cancelled, the client seeking work again)
and own businesses.

The placed clients are their own demo clients (file numbers `…-P01`…), registered and
assessed more than a year ago, so every step is played through the services with its real
date (`at=`): the transition log, the schedule, the records and the cancellations are what
the pages would have written. Then the follow-ups' statuses are brought to today as the
morning sweep would (without sending anything).

Idempotent per centre: a centre whose first demo employer exists is left alone."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from centres import demo_data
from centres.models import Course, Membership
from clients import services as client_services
from clients.demo_words import FATHER_NAMES, FEMALE_NAMES, LAST_NAMES, MALE_NAMES
from clients.models import (
    Category,
    Client,
    Education,
    Gender,
    IdType,
    State,
    Track,
    WorkCapacity,
)
from hami.jalali import add_months
from hami.validators import national_code_check_digit

from . import services
from .models import (
    ContractType,
    Employer,
    EmployerKind,
    FollowUp,
    Opening,
    Outcome,
    PlacementKind,
    Premises,
    SkillLevel,
)
from .sweep import cancel_orphans, update_statuses

if TYPE_CHECKING:
    from centres.management.commands.seed_demo import Seed

TOMAN = 10  # rials

EMPLOYERS = [
    ("کارگاه تولیدی پوشاک نگین", EmployerKind.PRODUCTION_UNIT, "پوشاک"),
    ("شرکت فناوری داده‌پردازان", EmployerKind.TECHNOLOGY_COMPANY, "فناوری اطلاعات"),
    ("شرکت خدمات پشتیبانی آریا", EmployerKind.COMPANY, "خدمات"),
    ("کارگاه خانگی سفال‌گران", EmployerKind.HOME_WORKSHOP, "صنایع دستی"),
]


@dataclass(frozen=True)
class Story:
    """One demo placement: when it started (Jalali months and days before today), its
    kind, and the follow-ups recorded (months after the start → outcome)."""

    months_ago: int
    days: int = 0  # added to the start: positive is later
    kind: str = PlacementKind.WAGE_JOB
    recorded: tuple = ()
    employer: int = 0
    into_full_opening: bool = False


STORIES = [
    Story(1, into_full_opening=True),  # the first call is due today
    Story(1, days=4, employer=1),  # due in four days (its window is open)
    Story(1, days=10, employer=2),  # not yet open: scheduled (a text message in 3 days)
    Story(1, days=-20, employer=0),  # overdue by 20 days
    Story(1, days=-50, employer=1),  # overdue by 50 days: escalated to the manager
    Story(3, days=2, employer=2, recorded=((1, Outcome.SAME_JOB),)),  # 3-month call due
    Story(
        12,
        employer=0,
        recorded=((1, Outcome.SAME_JOB), (3, Outcome.SAME_JOB), (6, Outcome.ANOTHER_JOB)),
    ),  # the 12-month call is due today: recording it makes employment sustained
    Story(
        13,
        employer=3,
        recorded=(
            (1, Outcome.SAME_JOB),
            (3, Outcome.SAME_JOB),
            (6, Outcome.SAME_JOB),
            (12, Outcome.SAME_JOB),
        ),
    ),  # sustained
    Story(5, employer=2, recorded=((1, Outcome.SAME_JOB), (3, Outcome.UNEMPLOYED))),
    Story(
        6,
        days=-3,
        kind=PlacementKind.SELF_EMPLOYMENT,
        recorded=((1, Outcome.OWN_BUSINESS), (3, Outcome.OWN_BUSINESS)),
    ),
    Story(0, days=-10, kind=PlacementKind.SELF_EMPLOYMENT),
]

BUSINESSES = [
    ("خیاطی خانگی مهتاب", Premises.HOME, "دوخت و تعمیر لباس"),
    ("تعمیرگاه موبایل پارسا", Premises.PREMISES, "تعمیر گوشی و فروش لوازم جانبی"),
]


def seed(seed: Seed) -> None:
    today = timezone.localdate()
    for code in sorted({row.centre_code for row in demo_data.USERS if row.centre_code}):
        centre = seed.centres.get(code)
        staff, _manager = _people(seed, code)
        if centre is None or staff is None:
            continue
        if Employer.objects.filter(centre=centre, name=EMPLOYERS[0][0]).exists():
            seed.count("employers", "unchanged", Employer.objects.filter(centre=centre).count())
            continue
        rng = random.Random(f"placements-{code}")
        employers = [
            _employer(centre, staff, name, kind, sector) for name, kind, sector in EMPLOYERS
        ]
        seed.count("employers", "created", len(employers))
        full = _openings(centre, staff, employers, today)
        seed.count("openings", "created", Opening.objects.filter(centre=centre).count())
        for number, story in enumerate(STORIES, start=1):
            _tell(
                story,
                number,
                centre=centre,
                staff=staff,
                employers=employers,
                full_opening=full,
                today=today,
                rng=rng,
            )
            seed.count("placements", "created")
            seed.count("clients", "created")  # their own clients (the clients part
            seed.count("enrolments", "created")  # counts them as its own on a re-run)
        seed.count("follow-ups", "created", FollowUp.objects.filter(centre=centre).count())
    # Bring every follow-up to today's status, as the morning sweep would (no messages).
    cancel_orphans(at=timezone.now())
    update_statuses(on=today)


def _people(seed: Seed, code: str):
    people = {
        row.role: seed.users.get(row.username) for row in demo_data.USERS if row.centre_code == code
    }
    return people.get(Membership.Role.STAFF), people.get(Membership.Role.MANAGER)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _employer(centre, staff, name, kind, sector) -> Employer:
    employer = Employer(
        centre=centre,
        name=name,
        kind=kind,
        sector=sector,
        province=centre.province,
        city=centre.city,
        contact_person="آقای " + LAST_NAMES[len(name) % len(LAST_NAMES)],
        phone=f"021{len(name) * 104_729 % 100_000_000:08d}",
    )
    return services.save_employer(
        employer=employer, by=staff, at=_at(add_months(timezone.localdate(), -14))
    )


def _openings(centre, staff, employers, today) -> Opening:
    """Two open openings in the trades the centre's trained clients learnt, and one of a
    single place that the first demo placement fills (and so closes). Returns that one."""
    courses = Course.objects.filter(centre=centre).order_by("trade")
    trained = courses.filter(enrolments__state=State.TRAINED).values_list("trade", flat=True)
    trades = list(dict.fromkeys([*trained, *courses.values_list("trade", flat=True)]))
    created = add_months(today, -2)
    for index, trade_id in enumerate(trades[:2]):
        services.save_opening(
            opening=Opening(
                centre=centre,
                employer=employers[index],
                trade_id=trade_id,
                title=("چرخ‌کار", "اپراتور رایانه")[index],
                city=centre.city,
                places=(3, 2)[index],
                wage_offered=(12_000_000, 15_000_000)[index] * TOMAN,
                skill_level=(SkillLevel.SIMPLE, SkillLevel.TECHNICAL)[index],
                open_until=today + timedelta(days=30 + 15 * index),
            ),
            by=staff,
            at=_at(created),
        )
    return services.save_opening(
        opening=Opening(
            centre=centre,
            employer=employers[0],
            trade_id=trades[0],
            title="کمک‌برش‌کار",
            city=centre.city,
            places=1,
            wage_offered=11_000_000 * TOMAN,
            skill_level=SkillLevel.SIMPLE,
            open_until=today + timedelta(days=20),
        ),
        by=staff,
        at=_at(add_months(today, -2)),
    )


def _tell(story: Story, number: int, *, centre, staff, employers, full_opening, today, rng):
    starts_on = add_months(today, -story.months_ago) + timedelta(days=story.days)
    registered = starts_on - timedelta(days=120)
    female = number % 3 != 0
    client = client_services.register_client(
        centre=centre,
        by=staff,
        at=_at(registered, 9),
        id_type=IdType.NATIONAL_CODE,
        id_number=_national_code(rng),
        welfare_file_number=f"{centre.code}-P{number:02d}",
        first_name=rng.choice(FEMALE_NAMES if female else MALE_NAMES),
        last_name=rng.choice(LAST_NAMES),
        father_name=rng.choice(FATHER_NAMES),
        gender=Gender.FEMALE if female else Gender.MALE,
        birth_date=date(1985 + number, 1 + number % 12, 10),
        mobile=f"0912{rng.randint(0, 9_999_999):07d}",
        province=centre.province,
        city=centre.city,
        category=Category.FEMALE_HEAD if female else Category.OTHER,
        education=Education.DIPLOMA,
    )
    enrolment = client.enrolments.get()
    self_employed = story.kind == PlacementKind.SELF_EMPLOYMENT
    client_services.record_assessment(
        enrolment=enrolment,
        by=staff,
        at=_at(registered + timedelta(days=7)),
        assessed_on=registered + timedelta(days=7),
        interested_in_work=True,
        work_capacity=WorkCapacity.READY,
        recommended_track=Track.OWN_BUSINESS if self_employed else Track.WAGE_JOB,
        notes="آمادهٔ کار است و آموزش تازه‌ای لازم ندارد.",
    )
    if self_employed:
        name, premises, activity = BUSINESSES[number % len(BUSINESSES)]
        details = {"business_name": name, "premises": premises, "activity": activity}
    else:
        opening = full_opening if story.into_full_opening else None
        details = {
            "employer": employers[story.employer] if opening is None else None,
            "opening": opening,
            "job_title": opening.title
            if opening
            else ("چرخ‌کار", "اپراتور", "پشتیبان", "سفال‌گر")[story.employer],
            "skill_level": SkillLevel.SIMPLE if story.employer != 1 else SkillLevel.TECHNICAL,
            "monthly_wage": rng.randrange(10_000_000, 25_000_000, 500_000) * TOMAN,
            "contract_type": ContractType.FIXED_TERM,
        }
    placement = services.place(
        enrolment=enrolment,
        by=staff,
        kind=story.kind,
        starts_on=starts_on,
        at=_at(min(starts_on, today), 11),
        **details,
    )
    for months, outcome in story.recorded:
        follow_up = placement.follow_ups.get(months_after=months)
        services.record_follow_up(
            follow_up=follow_up,
            by=staff,
            contacted_on=follow_up.due_on,
            outcome=outcome,
            at=_at(follow_up.due_on, 12),
            monthly_income=rng.randrange(10_000_000, 30_000_000, 1_000_000) * TOMAN
            if outcome != Outcome.UNEMPLOYED
            else None,
            employer_satisfaction=None if self_employed else rng.randint(3, 5),
            client_satisfaction=rng.randint(3, 5),
            notes="تماس گرفته شد؛ وضعیت کار پرسیده شد.",
        )


def _national_code(rng: random.Random) -> str:
    while True:
        first_nine = f"{rng.randint(0, 999_999_999):09d}"
        code = first_nine + str(national_code_check_digit(first_nine))
        if len(set(first_nine)) > 1 and not Client.objects.filter(id_number=code).exists():
            return code
