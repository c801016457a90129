"""`manage.py seed_demo --scale national`: the whole network, on PostgreSQL, for measuring.

About 1,000 centres (the 16 demo centres and new ones), and at every centre 1,000 clients,
1,200 enrolments (one client in five withdrew once and enrolled again), 500 placements
with their four follow-ups each and 100 loan applications, those disbursed with their
installments: 1,000,000 clients, 1,200,000 enrolments, 500,000 placements, 2,000,000
follow-ups, 100,000 loans and ~1,900,000 installments in all.

The rows are written straight into the tables, with PostgreSQL's COPY (psycopg 3), not
through the services: this is data to measure the reads with, made in minutes. They keep
every database constraint, and the rules the services keep that no constraint holds (a
centre's seats, the current enrolment, follow-ups on their Jalali dates, four eyes on
loans). Not written: the transition logs, history records, assessments and repayments.

On SQLite the same rows are written with plain INSERTs, for the tests that run the
generator small (`build(..., centres=3, clients_per_centre=40)`); the command refuses the
national size there.

Idempotent: a centre whose first national client (`<code>-N00001`) exists is left alone.
Reproducible: one `random.Random` a centre, seeded with its code.
"""

from __future__ import annotations

import functools
import random
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone, translation

from centres.models import Centre, Course, Province, Trade
from centres.roles import NATIONAL_OFFICE_GROUP
from clients import demo_words as words
from clients.models import (
    Category,
    Client,
    Education,
    Enrolment,
    ExitReason,
    Gender,
    IdType,
    State,
)
from hami.jalali import add_months
from hami.validators import national_code_check_digit
from loans.models import BusinessPlan, CreditLine, Installment, LoanApplication, LoanProduct
from loans.models import Premises as PlanPremises
from loans.models import State as LoanState
from placements.models import (
    ContractType,
    Employer,
    EmployerKind,
    FollowUp,
    FollowUpStatus,
    Outcome,
    Placement,
    PlacementKind,
    Premises,
    SkillLevel,
    name_key,
)

if TYPE_CHECKING:
    from centres.management.commands.seed_demo import Seed

CENTRES = 1_000
CLIENTS_PER_CENTRE = 1_000
FLUSH_ROWS = 50_000

# A centre's 1,000 clients by the state of their current enrolment: half of them placed
# once (500 placements), every seat taken (60) and a short waiting list.
STATE_SHARES = {
    State.PLACED: 280,
    State.SUSTAINED: 190,
    State.SEEKING_WORK: 30,
    State.TRAINED: 120,
    State.TRAINING: 60,
    State.WAITING: 8,
    State.INTAKE: 30,
    State.ASSESSED: 40,
    State.NOT_READY: 30,
    State.WITHDRAWN: 212,
}
PLACED_STATES = (State.PLACED, State.SUSTAINED, State.SEEKING_WORK)
REENROLLED_SHARE = 0.2  # of a centre's clients, a first enrolment withdrawn
LOANS_SHARE = 0.1  # of a centre's clients, one loan application
LOAN_STATES = [  # out of 100 applications
    (LoanState.DRAFT, 4),
    (LoanState.SUBMITTED, 4),
    (LoanState.RECOMMENDED, 4),
    (LoanState.APPROVED, 4),
    (LoanState.REJECTED, 5),
    (LoanState.WITHDRAWN, 3),
    (LoanState.DISBURSED, 2),
    (LoanState.REPAYING, 60),
    (LoanState.REPAID, 10),
    (LoanState.DEFAULTED, 4),
]
FOLLOW_UP_MONTHS = (1, 3, 6, 12)
# Why the withdrawn left: a few for reasons the programme could not prevent.
EXIT_REASONS = [
    (ExitReason.WITHDREW, 94),
    (ExitReason.MEDICAL, 3),
    (ExitReason.INSTITUTIONALISED, 2),
    (ExitReason.DECEASED, 1),
]
SURNAME_ENDINGS = ["", "", "", "زاده", "پور", "نیا", "فر", "راد", "منش", "وند", "لو"]
CATEGORIES = [
    (Category.FEMALE_HEAD, 30),
    (Category.PHYSICAL, 20),
    (Category.VISUAL, 8),
    (Category.HEARING, 8),
    (Category.SPEECH, 3),
    (Category.INTELLECTUAL, 8),
    (Category.PSYCHOSOCIAL, 8),
    (Category.OTHER, 15),
]
JOBS = ["خیاط", "اپراتور رایانه", "آشپز", "فروشنده", "صندوقدار", "منشی", "تعمیرکار", "بسته‌بند"]
BUSINESSES = ["خیاطی خانگی", "قنادی خانگی", "فروشگاه محلی", "تعمیرگاه", "گلدوزی", "بافندگی"]


def seed(seed: Seed) -> None:
    """The `seed_demo` part for the national scale (after the centres and demo logins)."""
    if connection.vendor != "postgresql":
        raise CommandError(
            "The national scale is ~10 million rows: run it on PostgreSQL (DATABASE_URL)."
        )
    build(seed, centres=CENTRES, clients_per_centre=CLIENTS_PER_CENTRE)


def build(seed: Seed, *, centres: int, clients_per_centre: int, progress=sys.stderr) -> None:
    started = time.monotonic()
    today = timezone.localdate()
    people = _people(seed)
    network = _centres(seed, centres)
    trades = list(Trade.objects.filter(is_active=True).order_by("code"))
    product, line = _loan_reference_data()
    writer = Writer()
    codes = NationalCodes()
    todo = [
        centre
        for centre in network
        if not Client.objects.filter(welfare_file_number=f"{centre.code}-N00001").exists()
    ]
    seed.count("centres (national scale)", "unchanged", len(network) - len(todo))
    bar = Progress(len(todo), out=progress)
    for done, centre in enumerate(todo, 1):
        rng = random.Random(f"hami-national:{centre.code}")
        rows = CentreRows(centre, rng, today, people, trades, product, line, writer, codes)
        rows.write(clients_per_centre)
        if writer.pending >= FLUSH_ROWS:
            writer.flush()
        bar.show(done, writer.written)
    writer.flush()
    writer.reset_sequences()
    bar.finish(time.monotonic() - started)
    with translation.override("en"):
        for model, n in writer.written.items():
            seed.count(str(model._meta.verbose_name_plural), "created", n)


# -- reference data ------------------------------------------------------------------------


def _people(seed: Seed) -> dict:
    """Who the rows name: THR-01's demo staff and manager, the national office's two demo
    logins (four eyes on loans); each made without a password when missing."""
    User = get_user_model()
    national_office = Group.objects.get(name=NATIONAL_OFFICE_GROUP)

    def user(username, *, national=False):
        found = seed.users.get(username) or User.objects.filter(username=username).first()
        if found is None:
            found = User.objects.create(username=username)
            if national:
                found.groups.add(national_office)
        return found

    return {
        "staff": user("staff.thr01"),
        "manager": user("manager.thr01"),
        "approver": user("national", national=True),
        "disburser": user("national.loans", national=True),
    }


def _centres(seed: Seed, wanted: int) -> list[Centre]:
    """The centres already there, and new ones `NAT-0017`… up to `wanted` in all."""
    existing = list(Centre.objects.order_by("pk"))
    provinces = list(Province.objects.order_by("code"))
    new = []
    for n in range(len(existing) + 1, wanted + 1):
        province = provinces[n % len(provinces)]
        new.append(
            Centre(
                code=f"NAT-{n:04d}",
                name=f"مرکز کاریابی {province.name_fa} {n}",
                province=province,
                city=province.name_fa,
                training_capacity=60,
                address="",
                phone="",
            )
        )
    Centre.objects.bulk_create(new, batch_size=500)
    seed.count("centres", "created", len(new))
    return list(Centre.objects.select_related("province").order_by("pk"))[:wanted]


def _loan_reference_data():
    product = LoanProduct.objects.filter(name="قرض‌الحسنه اشتغال (ملی)").first()
    if product is None:
        product = LoanProduct.objects.create(
            name="قرض‌الحسنه اشتغال (ملی)",
            annual_rate=0,
            min_amount=10_000_000,
            max_amount=2_000_000_000,
            max_term_months=60,
        )
    line = CreditLine.objects.filter(reference="NATIONAL-SCALE").first()
    if line is None:
        line = CreditLine.objects.create(
            bank="بانک توسعه تعاون",
            reference="NATIONAL-SCALE",
            fiscal_year=1403,
            total_amount=10**15,
            valid_from=date(2020, 1, 1),
            valid_to=date(2030, 1, 1),
        )
    return product, line


# -- writing ---------------------------------------------------------------------------


class Writer:
    """Rows buffered per table, then written in one COPY (PostgreSQL) or INSERTs (SQLite).
    Ids are given here, from each table's largest, so rows can name each other."""

    def __init__(self):
        self.rows: dict = {}
        self.columns: dict = {}
        self.next_id: dict = {}
        self.written: Counter = Counter()
        self.pending = 0

    def new_id(self, model) -> int:
        if model not in self.next_id:
            largest = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id[model] = (largest or 0) + 1
        self.next_id[model] += 1
        return self.next_id[model] - 1

    def add(self, model, **values) -> int:
        """Queue one row (its columns by attribute name, `centre_id`); returns its id."""
        values.setdefault("id", self.new_id(model))
        if model not in self.columns:
            self.columns[model] = list(values)
            self.rows[model] = []
        self.rows[model].append(tuple(values[name] for name in self.columns[model]))
        self.pending += 1
        return values["id"]

    # Parents first, so each batch's foreign keys find their rows.
    ORDER = (
        Course,
        Employer,
        Enrolment,
        Client,
        Placement,
        FollowUp,
        BusinessPlan,
        LoanApplication,
        Installment,
    )

    def flush(self) -> None:
        # A client and its current enrolment name each other: clients go in after their
        # enrolments, whose client foreign key is checked at the end of the statement.
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for model in sorted(self.rows, key=self.ORDER.index):
                rows = self.rows[model]
                if not rows:
                    continue
                table = connection.ops.quote_name(model._meta.db_table)
                names = [model._meta.get_field(name).column for name in self.columns[model]]
                columns = ", ".join(connection.ops.quote_name(name) for name in names)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    marks = ", ".join(["%s"] * len(names))
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
                self.written[model] += len(rows)
                rows.clear()
            if connection.vendor == "postgresql":
                # The deferred checks run now, for this batch only.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.pending = 0

    def reset_sequences(self) -> None:
        """Let the next row Django inserts take an id after the ones given here."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_id))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def no_style():
    from django.core.management.color import no_style as plain

    return plain()


class Progress:
    """A one-line progress bar on stderr: centres done, rows written, time left."""

    def __init__(self, total: int, *, out):
        self.total, self.out, self.started = total, out, time.monotonic()

    def show(self, done: int, written: Counter) -> None:
        if self.out is None or self.total == 0:
            return
        elapsed = time.monotonic() - self.started
        left = elapsed / done * (self.total - done)
        width = 30
        filled = width * done // self.total
        rows = sum(written.values())
        self.out.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,} centres, "
            f"{rows:,} rows, {elapsed:,.0f} s, about {left:,.0f} s left  "
        )
        self.out.flush()

    def finish(self, seconds: float) -> None:
        if self.out is not None and self.total:
            self.out.write(f"\nWritten in {seconds:,.0f} s.\n")


@functools.lru_cache(maxsize=50_000)
def months_after(day: date, months: int) -> date:
    return add_months(day, months)


# -- one centre ------------------------------------------------------------------------------


class CentreRows:
    """Every row of one centre: courses, employers, clients and their enrolments, the
    placements with their follow-ups, the loans with their installments."""

    def __init__(self, centre, rng, today, people, trades, product, line, writer, codes):
        self.centre, self.rng, self.today = centre, rng, today
        self.codes = codes
        self.people, self.trades, self.product, self.line = people, trades, product, line
        self.add = writer.add
        self.writer = writer
        self.staff_id = people["staff"].pk
        tz = timezone.get_current_timezone()
        self.tz = tz

    def at(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 9 + self.rng.randrange(6), tzinfo=self.tz)

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def write(self, clients: int) -> None:
        courses = self.courses()
        employers = self.employers()
        states = self.states(clients)
        for number, state in enumerate(states, 1):
            self.client(number, state, courses, employers)

    def courses(self) -> dict:
        """A running course and three finished ones, two to four months each."""
        made = {"running": [], "finished": []}
        starts = [
            ("running", self.today - timedelta(days=50)),
            ("finished", self.today - timedelta(days=200)),
            ("finished", self.today - timedelta(days=420)),
            ("finished", self.today - timedelta(days=640)),
        ]
        for n, (kind, starts_on) in enumerate(starts):
            trade = self.trades[(self.centre.pk + n) % len(self.trades)]
            ends_on = starts_on + timedelta(days=112)
            course_id = self.add(
                Course,
                centre_id=self.centre.pk,
                trade_id=trade.pk,
                title=f"دوره {trade.name_fa} {n + 1}",
                starts_on=starts_on,
                ends_on=ends_on,
                hours=240,
                instructor=self.rng.choice(words.MALE_NAMES + words.FEMALE_NAMES),
                awards_certificate=True,
            )
            made[kind].append((course_id, starts_on, ends_on))
        return made

    def employers(self) -> list[int]:
        ids = []
        for n in range(20):
            name = f"{self.rng.choice(['کارگاه', 'شرکت', 'تولیدی', 'فروشگاه'])} {n + 1}"
            ids.append(
                self.add(
                    Employer,
                    centre_id=self.centre.pk,
                    name=name,
                    name_key=name_key(name),
                    kind=self.rng.choice(EmployerKind.values),
                    sector="",
                    province_id=self.centre.province_id,
                    city=self.centre.city,
                    contact_person="",
                    phone="",
                    company_id="",
                    is_active=True,
                    created_at=self.at(self.days_ago(700, 900)),
                    created_by_id=self.staff_id,
                )
            )
        return ids

    def states(self, clients: int) -> list[State]:
        """The current states of the centre's clients, in proportion, training capped at
        the centre's seats."""
        scale = clients / 1_000
        states = []
        for state, share in STATE_SHARES.items():
            if state == State.WITHDRAWN:
                continue  # the rest, below
            n = round(share * scale)
            if state == State.TRAINING:
                n = min(n, self.centre.training_capacity)
            states += [state] * n
        states = states[:clients]
        states += [State.WITHDRAWN] * (clients - len(states))
        self.rng.shuffle(states)
        return states

    # a client --------------------------------------------------------------------------

    def timeline(self, state, courses) -> dict:
        """When the client registered, which course they took and when they were placed:
        the dates of a journey that could have happened, ending in `state` today."""
        rng, days = self.rng, timedelta
        course = placed_on = ended_on = None
        if state in PLACED_STATES:
            if state == State.SUSTAINED:
                placed_on = self.days_ago(380, 540)
            elif state == State.PLACED:
                placed_on = self.days_ago(20, 360)
            else:
                placed_on = self.days_ago(120, 360)
                ended_on = min(placed_on + days(rng.randint(30, 200)), self.today - days(10))
            finished = [c for c in courses["finished"] if c[2] + days(7) <= placed_on]
            if finished and rng.random() < 0.85:
                course = max(finished, key=lambda c: c[2])
            registered = (course[1] if course else placed_on) - days(rng.randint(20, 120))
        elif state == State.TRAINED:
            course = rng.choice(courses["finished"])
            registered = course[1] - days(rng.randint(20, 120))
        elif state == State.TRAINING:
            course = courses["running"][0]
            registered = course[1] - days(rng.randint(20, 120))
        elif state == State.WAITING:
            course = courses["running"][0]
            registered = self.days_ago(10, 120)
        elif state == State.WITHDRAWN:
            registered = self.days_ago(30, 1000)
        else:
            registered = self.days_ago(1, 90)
        return {
            "registered": registered,
            "course": course,
            "placed_on": placed_on,
            "ended_on": ended_on,
        }

    def client(self, number, state, courses, employers) -> None:
        rng = self.rng
        female = rng.random() < 0.55
        journey = self.timeline(state, courses)
        client_id = self.writer.new_id(Client)
        created_at = self.at(journey["registered"])
        if rng.random() < REENROLLED_SHARE:
            # A first journey, withdrawn, some months before this one.
            first_opened = created_at - timedelta(days=rng.randint(200, 500))
            self.enrolment(
                client_id,
                State.WITHDRAWN,
                opened_at=first_opened,
                closed_at=first_opened + timedelta(days=rng.randint(10, 150)),
                exit_reason=ExitReason.WITHDREW,  # they came back
            )
            created_at = first_opened
        enrolment_id = self.enrolment(client_id, state, **self.current_fields(state, journey))
        last = rng.choice(words.LAST_NAMES)
        ending = rng.choice(SURNAME_ENDINGS)
        last = f"{last.removesuffix('ی')}{ending}" if ending else last
        self.add(
            Client,
            id=client_id,
            centre_id=self.centre.pk,
            id_type=IdType.NATIONAL_CODE,
            id_number=self.codes.code(client_id),
            welfare_file_number=f"{self.centre.code}-N{number:05d}",
            first_name=rng.choice(words.FEMALE_NAMES if female else words.MALE_NAMES),
            last_name=last,
            father_name=rng.choice(words.FATHER_NAMES),
            gender=Gender.FEMALE if female else Gender.MALE,
            birth_date=self.today - timedelta(days=rng.randint(18 * 365, 55 * 365)),
            mobile=f"0912{rng.randrange(10**7):07d}",
            province_id=self.centre.province_id,
            city=self.centre.city,
            address="",
            category=_weighted(rng, CATEGORIES),
            education=rng.choice(Education.values),
            consent_recorded_at=created_at,
            created_at=created_at,
            created_by_id=self.staff_id,
            updated_at=created_at,
            current_enrolment_id=enrolment_id,
            current_state=state,
            sms_opt_out=rng.random() < 0.02,
        )
        if rng.random() < LOANS_SHARE:
            self.loan(client_id, journey["registered"])
        if state in PLACED_STATES:
            self.placement(enrolment_id, state, journey, employers)

    def current_fields(self, state, journey) -> dict:
        rng = self.rng
        opened_at = self.at(journey["registered"])
        fields = {"opened_at": opened_at}
        course = journey["course"]
        if course is not None:
            course_id, starts_on, ends_on = course
            fields["course_id"] = course_id
            if state == State.WAITING:
                fields["waiting_since"] = self.at(self.days_ago(1, 9))
            else:
                fields["training_started_on"] = starts_on
            if state in (State.TRAINED, *PLACED_STATES):
                fields["training_finished_on"] = ends_on
                fields["attendance_percent"] = rng.randint(70, 100)
        if state == State.NOT_READY:
            fields["review_on"] = self.today + timedelta(days=rng.randint(-10, 90))
        if state == State.SUSTAINED:
            sustained_on = months_after(journey["placed_on"], 12) + timedelta(rng.randint(0, 14))
            fields["closed_at"] = self.at(min(sustained_on, self.today))
        elif state == State.WITHDRAWN:
            withdrawn_on = journey["registered"] + timedelta(days=rng.randint(5, 200))
            fields["closed_at"] = self.at(min(withdrawn_on, self.today))
        return fields

    def enrolment(self, client_id, state, **fields) -> int:
        empty = dict.fromkeys(
            (
                "course_id",
                "waiting_since",
                "training_started_on",
                "training_finished_on",
                "attendance_percent",
                "review_on",
                "closed_at",
            )
        )
        return self.add(
            Enrolment,
            client_id=client_id,
            centre_id=self.centre.pk,
            state=state,
            certificate_number="",
            version=self.rng.randint(1, 8),
            **{**empty, "exit_reason": self.exit_reason(state), **fields},
        )

    def exit_reason(self, state) -> str:
        return _weighted(self.rng, EXIT_REASONS) if state == State.WITHDRAWN else ""

    def placement(self, enrolment_id, state, journey, employers) -> None:
        rng = self.rng
        starts_on, ended_on = journey["placed_on"], journey["ended_on"]
        wage_job = rng.random() < 0.7
        kind_fields = (
            {
                "kind": PlacementKind.WAGE_JOB,
                "employer_id": rng.choice(employers),
                "job_title": rng.choice(JOBS),
                "skill_level": rng.choice(SkillLevel.values),
                "monthly_wage": rng.randint(80, 200) * 1_000_000,
                "contract_type": rng.choice(ContractType.values),
                "business_name": "",
                "premises": "",
                "activity": "",
            }
            if wage_job
            else {
                "kind": PlacementKind.SELF_EMPLOYMENT,
                "employer_id": None,
                "job_title": "",
                "skill_level": "",
                "monthly_wage": None,
                "contract_type": "",
                "business_name": rng.choice(BUSINESSES),
                "premises": rng.choice(Premises.values),
                "activity": rng.choice(BUSINESSES),
            }
        )
        placement_id = self.add(
            Placement,
            centre_id=self.centre.pk,
            enrolment_id=enrolment_id,
            opening_id=None,
            starts_on=starts_on,
            ended_on=ended_on,
            end_reason="پایان قرارداد" if ended_on else "",
            created_at=self.at(starts_on),
            created_by_id=self.staff_id,
            **kind_fields,
        )
        working = Outcome.SAME_JOB if wage_job else Outcome.OWN_BUSINESS
        for months in FOLLOW_UP_MONTHS:
            due_on = months_after(starts_on, months)
            record = {
                "status": FollowUpStatus.SCHEDULED,
                "contacted_on": None,
                "outcome": "",
                "monthly_income": None,
                "recorded_at": None,
                "recorded_by_id": None,
                "cancelled_at": None,
                "cancel_reason": "",
            }
            if ended_on is not None and due_on > ended_on:
                record.update(
                    status=FollowUpStatus.CANCELLED,
                    cancelled_at=self.at(ended_on),
                    cancel_reason="پایان کار",
                )
            elif due_on < self.today - timedelta(days=14):
                if rng.random() < 0.9 or state == State.SUSTAINED:
                    contacted = min(due_on + timedelta(days=rng.randint(0, 20)), self.today)
                    record.update(
                        status=FollowUpStatus.DONE,
                        contacted_on=contacted,
                        outcome=working if rng.random() < 0.9 else Outcome.ANOTHER_JOB,
                        monthly_income=rng.randint(80, 220) * 1_000_000,
                        recorded_at=self.at(contacted),
                        recorded_by_id=self.staff_id,
                    )
                else:
                    record["status"] = FollowUpStatus.MISSED
            elif due_on <= self.today:
                record["status"] = FollowUpStatus.DUE
            self.add(
                FollowUp,
                centre_id=self.centre.pk,
                placement_id=placement_id,
                months_after=months,
                due_on=due_on,
                assigned_to_id=self.staff_id,
                employer_satisfaction=None,
                client_satisfaction=None,
                notes="",
                outside_window_reason="",
                **record,
            )

    def loan(self, client_id, registered) -> None:
        rng, people = self.rng, self.people
        state = _weighted(rng, LOAN_STATES)
        created = max(registered, self.days_ago(60, 800))
        plan_id = self.add(
            BusinessPlan,
            client_id=client_id,
            title=rng.choice(BUSINESSES),
            activity=rng.choice(BUSINESSES),
            trade_id=None,
            premises=rng.choice(PlanPremises.values),
            own_contribution=rng.randint(0, 50) * 1_000_000,
            monthly_revenue=rng.randint(100, 400) * 1_000_000,
            monthly_costs=rng.randint(40, 90) * 1_000_000,
            jobs_created=1,
            created_by_id=self.staff_id,
            created_at=self.at(created),
            updated_at=self.at(created),
        )
        amount = rng.choice([5, 8, 10, 20, 30, 50, 80, 100, 150, 200]) * 10_000_000
        term = rng.choice([12, 24, 24, 36])
        submitted = state != LoanState.DRAFT
        recommended = state not in (LoanState.DRAFT, LoanState.SUBMITTED, LoanState.WITHDRAWN)
        approved = recommended and state not in (LoanState.RECOMMENDED, LoanState.REJECTED)
        lent = state in (
            LoanState.DISBURSED,
            LoanState.REPAYING,
            LoanState.REPAID,
            LoanState.DEFAULTED,
        )
        disbursed_on = min(created + timedelta(days=rng.randint(20, 60)), self.today)
        if state == LoanState.REPAID:
            disbursed_on = self.days_ago(term * 31 + 10, term * 31 + 200)
        elif state == LoanState.REPAYING:
            disbursed_on = self.days_ago(40, min(term * 30, 700))
        elif state == LoanState.DEFAULTED:
            disbursed_on = self.days_ago(400, 700)
        first_due = months_after(disbursed_on, 1)
        loan_id = self.add(
            LoanApplication,
            plan_id=plan_id,
            client_id=client_id,
            centre_id=self.centre.pk,
            product_id=self.product.pk,
            state=state,
            term_months=term,
            amount=amount,
            requested_amount=amount,
            sized_amount=amount,
            recommended_amount=amount if recommended else None,
            approved_amount=amount if approved else None,
            override_reason="",
            credit_line_id=self.line.pk if approved else None,
            recommended_by_id=people["manager"].pk if recommended else None,
            approved_by_id=people["approver"].pk if approved else None,
            disbursed_by_id=people["disburser"].pk if lent else None,
            submitted_at=self.at(created) if submitted else None,
            decided_at=self.at(created + timedelta(days=10)) if recommended else None,
            bank=self.line.bank if lent else "",
            bank_reference=f"N{client_id}" if lent else "",
            disbursed_on=disbursed_on if lent else None,
            first_due_on=first_due if lent else None,
            overdue_since=None,
            days_past_due=0,
            arrears_as_of=None,
            created_by_id=self.staff_id,
            created_at=self.at(created),
            version=3,
            placement_id=None,
        )
        if not lent:
            return
        # Equal principal at 0% (qard al-hasan); paid up to date, a defaulted loan stopped
        # paying after its fifth installment.
        principal = amount // term
        for number in range(1, term + 1):
            due_on = months_after(first_due, number - 1)
            due = principal if number < term else amount - principal * (term - 1)
            paid = (state == LoanState.REPAID) or (
                due_on <= self.today and (state != LoanState.DEFAULTED or number <= 5)
            )
            self.add(
                Installment,
                loan_id=loan_id,
                number=number,
                due_on=due_on,
                principal_due=due,
                interest_due=0,
                principal_paid=due if paid else 0,
                interest_paid=0,
                paid_on=due_on if paid else None,
            )


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


class NationalCodes:
    """A valid national code of its own for each client id: `900000000` + the id, and its
    check digit; `800000000` + the id where a client registered otherwise (the demo's small
    scale draws its codes at random) has it already."""

    def __init__(self):
        self.taken = set(
            Client.objects.filter(id_type=IdType.NATIONAL_CODE)
            .exclude(welfare_file_number__contains="-N")
            .values_list("id_number", flat=True)
        )

    def code(self, n: int) -> str:
        for base in (900_000_000, 800_000_000):
            first_nine = f"{base + n:09d}"
            code = first_nine + str(national_code_check_digit(first_nine))
            if code not in self.taken:
                return code
        raise CommandError(f"No free national code for client {n}.")
