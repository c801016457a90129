"""`seed_demo --scale article`: the network the programme described in public.

16 centres and 3,200 entrants, of whom 62% (1,984) had a successful outcome and 1,860
people benefited; the rest withdrew, are not ready yet, or are still in training. With
the dashboard's definitions (`dashboard.definitions`) the published figures reconcile:
every one of the 1,860 who benefited (placed in a wage job or their own business) had a
successful outcome, and the other 124 successful entrants finished training and are not
yet in work. One exit per centre is excluded (deceased, long medical treatment,
institutionalised): counted apart, not among the 3,200.

The seed_demo command calls `seed(seed)` here instead of the apps' `demo` modules when the
scale is `article` (after the centres and the demo logins). The rows are written in bulk
(a few seconds on SQLite), with the fields the database requires of each state, the
transition log each journey would have left, the placements with their follow-ups at 1, 3,
6 and 12 Jalali months, and soft loans with their schedules for part of the own
businesses. Each centre draws from its own `random.Random`, so the counts are the same on
every run; dates are relative to the day of the run. Idempotent per centre: a centre whose
first article file number exists is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from centres import demo_data
from centres.models import Course, Membership, Trade
from clients import demo_words as words
from clients.models import (
    Category,
    Client,
    Education,
    Enrolment,
    EnrolmentTransition,
    ExitReason,
    Gender,
    State,
)
from clients.workflow import Action
from hami.jalali import add_months
from hami.validators import national_code_check_digit
from loans.models import BusinessPlan, CreditLine, Installment, LoanApplication, LoanProduct
from loans.models import State as LoanState
from loans.schedule import build_schedule
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
    status_on,
)

if TYPE_CHECKING:
    from centres.management.commands.seed_demo import Seed

# The published figures, and how this generator splits them over 16 centres.
CENTRES = 16
ENTRANTS = 3_200
SUCCESSFUL = 1_984  # 62% of 3,200
BENEFITED = 1_860
PER_CENTRE = ENTRANTS // CENTRES  # 200
SUCCESSFUL_PER_CENTRE = SUCCESSFUL // CENTRES  # 124
IN_TRAINING_PER_CENTRE = 15
NOT_READY_PER_CENTRE = 6
WITHDRAWN_PER_CENTRE = PER_CENTRE - SUCCESSFUL_PER_CENTRE - IN_TRAINING_PER_CENTRE - 6  # 55
EXCLUDED_PER_CENTRE = 1
SELF_EMPLOYED_SHARE = 0.3
LOAN_SHARE = 0.5  # of the own businesses
CREDIT_LINE = "CL-ARTICLE-1"
YEARS_BACK = 3


def file_number(centre_code: str, n: int) -> str:
    return f"ART-{centre_code}-{n:05d}"


def placed_per_centre(index: int) -> int:
    """1,860 placed over 16 centres: 116 at twelve of them, 117 at four."""
    base, extra = divmod(BENEFITED, CENTRES)
    return base + (1 if index < extra else 0)


def seed(seed: Seed) -> None:
    if len(seed.centres) != CENTRES:
        raise CommandError("The article's network is the 16 demo centres: seed them first.")
    trades = list(Trade.objects.filter(is_active=True).order_by("code"))
    if not trades:
        raise CommandError("The trades are missing: run `manage.py migrate` first.")
    today = timezone.localdate()
    admin, national = _national_people(seed)
    product, line = _loan_product_and_line(seed, today=today)
    for index, (code, centre) in enumerate(sorted(seed.centres.items())):
        if Client.objects.filter(welfare_file_number=file_number(code, 1)).exists():
            seed.count("article entrants", "unchanged", PER_CENTRE + EXCLUDED_PER_CENTRE)
            continue
        builder = ArticleCentre(
            centre=centre,
            index=index,
            rng=random.Random(f"hami-article:{code}"),
            today=today,
            trades=trades,
            actor=_centre_actor(seed, code) or admin,
            admin=admin,
            national=national,
            product=product,
            line=line,
        )
        builder.build()
        seed.count("article entrants", "created", PER_CENTRE + EXCLUDED_PER_CENTRE)


def _national_people(seed: Seed):
    admin = seed.users.get("admin")
    national = seed.users.get("national")
    if admin is None or national is None:
        raise CommandError("The demo logins are missing: seed the users first.")
    return admin, national


def _centre_actor(seed: Seed, code: str):
    for row in demo_data.USERS:
        if row.centre_code == code and row.role == Membership.Role.STAFF:
            return seed.users.get(row.username)
    return None


def _loan_product_and_line(seed: Seed, *, today: date):
    from loans.demo import PRODUCTS

    fields = PRODUCTS[0]
    product = LoanProduct.objects.filter(name=fields["name"]).first()
    if product is None:
        product = LoanProduct.objects.create(**fields)
        seed.count("loan products", "created")
    line = CreditLine.objects.filter(reference=CREDIT_LINE).first()
    if line is None:
        line = CreditLine.objects.create(
            bank="بانک توسعه تعاون",
            reference=CREDIT_LINE,
            fiscal_year=1401,
            total_amount=300_000_000_000,  # 30 billion tomans
            valid_from=today - timedelta(days=365 * (YEARS_BACK + 1)),
            valid_to=today + timedelta(days=365),
        )
        seed.count("credit lines", "created")
    return product, line


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class ArticleCentre:
    """One centre's 201 journeys, planned then written in bulk."""

    def __init__(self, *, centre, index, rng, today, trades, actor, admin, national, **loans):
        self.centre = centre
        self.index = index
        self.rng = rng
        self.today = today
        self.trades = trades
        self.actor = actor
        self.admin = admin
        self.national = national
        self.product = loans["product"]
        self.line = loans["line"]
        self.transitions: list[EnrolmentTransition] = []

    # -- the plan ---------------------------------------------------------------------

    def outcomes(self) -> list[str]:
        placed = placed_per_centre(self.index)
        plan = (
            ["placed"] * placed
            + ["trained"] * (SUCCESSFUL_PER_CENTRE - placed)
            + ["training"] * IN_TRAINING_PER_CENTRE
            + ["not_ready"] * NOT_READY_PER_CENTRE
            + ["withdrawn"] * WITHDRAWN_PER_CENTRE
            + ["excluded"] * EXCLUDED_PER_CENTRE
        )
        self.rng.shuffle(plan)
        return plan

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def make_courses(self) -> tuple[list[Course], Course]:
        """A course every four months over the last three years, and one running now."""
        past = []
        start = self.today - timedelta(days=365 * YEARS_BACK)
        n = 0
        while start + timedelta(days=90) < self.today - timedelta(days=45):
            n += 1
            trade = self.trades[n % len(self.trades)]
            past.append(
                Course(
                    centre=self.centre,
                    trade=trade,
                    title=f"{trade.name_fa} · دوره {n}",
                    starts_on=start,
                    ends_on=start + timedelta(days=90),
                    hours=240,
                    instructor="مربی مرکز",
                    awards_certificate=True,
                )
            )
            start += timedelta(days=120)
        trade = self.trades[0]
        running = Course(
            centre=self.centre,
            trade=trade,
            title=f"{trade.name_fa} · دوره جاری",
            starts_on=self.today - timedelta(days=40),
            ends_on=self.today + timedelta(days=60),
            hours=240,
            instructor="مربی مرکز",
            awards_certificate=True,
        )
        courses = Course.objects.bulk_create([*past, running])
        return courses[:-1], courses[-1]

    def make_clients(self, count: int) -> list[Client]:
        rng = self.rng
        clients = []
        for n in range(1, count + 1):
            female = rng.random() < 0.55
            first_nine = f"{(self.index * 1000 + n) * 9973 % 10**9 + 10**8:09d}"[:9]
            client = Client(
                centre=self.centre,
                id_number=first_nine + str(national_code_check_digit(first_nine)),
                welfare_file_number=file_number(self.centre.code, n),
                first_name=rng.choice(words.FEMALE_NAMES if female else words.MALE_NAMES),
                last_name=rng.choice(words.LAST_NAMES),
                father_name=rng.choice(words.FATHER_NAMES),
                gender=Gender.FEMALE if female else Gender.MALE,
                birth_date=date(rng.randint(1970, 2003), rng.randint(1, 12), rng.randint(1, 28)),
                province=self.centre.province,
                city=self.centre.city,
                category=Category.FEMALE_HEAD
                if female and rng.random() < 0.4
                else rng.choice(list(Category.values)),
                education=rng.choice(list(Education.values)),
                consent_recorded_at=_at(self.today),
                created_by=self.actor,
            )
            client.normalise_text_fields()
            clients.append(client)
        return Client.objects.bulk_create(clients)

    def log(self, enrolment, action, from_state, to_state, day, reason=""):
        self.transitions.append(
            EnrolmentTransition(
                enrolment=enrolment,
                action=action,
                from_state=from_state,
                to_state=to_state,
                at=_at(day, 9 + len(self.transitions) % 6),
                by=self.actor,
                reason=reason,
            )
        )

    # -- writing ----------------------------------------------------------------------

    def build(self) -> None:
        past_courses, running = self.make_courses()
        outcomes = self.outcomes()
        clients = self.make_clients(len(outcomes))
        # Courses old enough for a trainee to have finished and been placed since.
        placeable = [c for c in past_courses if c.ends_on <= self.today - timedelta(days=60)]
        enrolments, journeys = [], []
        for client, outcome in zip(clients, outcomes, strict=True):
            enrolment, journey = self.plan_enrolment(client, outcome, placeable, running)
            enrolments.append(enrolment)
            journeys.append(journey)
        Enrolment.objects.bulk_create(enrolments)
        for client, enrolment in zip(clients, enrolments, strict=True):
            # What the services keep on the client: its current enrolment and state.
            client.current_enrolment, client.current_state = enrolment, enrolment.state
        Client.objects.bulk_update(
            clients,
            ["created_at", "consent_recorded_at", "current_enrolment", "current_state"],
        )
        placements = []
        for enrolment, journey in zip(enrolments, journeys, strict=True):
            self.log_journey(enrolment, journey)
            if journey.get("placement"):
                placements.append((enrolment, journey))
        EnrolmentTransition.objects.bulk_create(self.transitions)
        self.make_placements(placements)

    def plan_enrolment(self, client, outcome, placeable, running):
        rng, today = self.rng, self.today
        journey = {"outcome": outcome}
        if outcome == "training":
            opened = running.starts_on - timedelta(days=rng.randint(10, 60))
            journey.update(opened=opened, started=running.starts_on)
            enrolment = Enrolment(
                client=client,
                centre=self.centre,
                state=State.TRAINING,
                course=running,
                training_started_on=running.starts_on,
            )
        elif outcome in ("trained", "placed"):
            course = rng.choice(placeable)
            opened = course.starts_on - timedelta(days=rng.randint(10, 45))
            certificate = f"{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.8 else ""
            journey.update(opened=opened, started=course.starts_on, finished=course.ends_on)
            enrolment = Enrolment(
                client=client,
                centre=self.centre,
                state=State.TRAINED,
                course=course,
                training_started_on=course.starts_on,
                training_finished_on=course.ends_on,
                attendance_percent=rng.randint(75, 100),
                certificate_number=certificate,
            )
            if outcome == "placed":
                starts_on = min(course.ends_on + timedelta(days=rng.randint(7, 45)), today)
                journey["placement"] = starts_on
                self.plan_follow_ups(enrolment, journey)
        elif outcome == "not_ready":
            opened = self.days_ago(30, 300)
            journey.update(opened=opened, parked=opened + timedelta(days=7))
            enrolment = Enrolment(
                client=client,
                centre=self.centre,
                state=State.NOT_READY,
                review_on=today + timedelta(days=rng.randint(5, 90)),
            )
        else:  # withdrawn or excluded
            opened = self.days_ago(40, 365 * YEARS_BACK)
            left = min(opened + timedelta(days=rng.randint(7, 120)), today - timedelta(days=1))
            excluded = outcome == "excluded"
            reason = (
                rng.choice([ExitReason.DECEASED, ExitReason.MEDICAL, ExitReason.INSTITUTIONALISED])
                if excluded
                else ExitReason.WITHDREW
            )
            journey.update(opened=opened, left=left, assessed=rng.random() < 0.7)
            enrolment = Enrolment(
                client=client,
                centre=self.centre,
                state=State.WITHDRAWN,
                closed_at=_at(left, 12),
                exit_reason=reason,
            )
        enrolment.opened_at = _at(journey["opened"], 9)
        client.created_at = client.consent_recorded_at = enrolment.opened_at
        return enrolment, journey

    def plan_follow_ups(self, enrolment, journey) -> None:
        """The year of follow-up after a placement: recorded as due, a few late or
        missed; the 12-month call closes the enrolment as sustained, or (rarely) the job
        has ended and the centre supports the client towards a new one."""
        rng, today = self.rng, self.today
        starts_on = journey["placement"]
        follow_ups = []
        state = State.PLACED
        ended_on = None
        for months in settings.HAMI_FOLLOW_UP_MONTHS:
            due_on = add_months(starts_on, months)
            if ended_on is not None:
                follow_ups.append({"months": months, "due_on": due_on, "cancelled": ended_on})
                continue
            closes = due_on + timedelta(days=settings.HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER)
            roll = rng.random()
            if due_on > today or (closes >= today and roll < 0.5):
                follow_ups.append({"months": months, "due_on": due_on})  # not yet recorded
                continue
            if closes < today and roll < 0.06:
                follow_ups.append({"months": months, "due_on": due_on, "missed": True})
                continue
            late = roll > 0.93
            contacted = due_on + timedelta(
                days=rng.randint(15, 40) if late else rng.randint(-5, 10)
            )
            contacted = min(contacted, today)
            working = rng.random() < (0.97 if months < 12 else 0.92)
            follow_ups.append(
                {"months": months, "due_on": due_on, "contacted": contacted, "working": working}
            )
            if not working:
                ended_on = contacted
                state = State.SEEKING_WORK
            elif months == max(settings.HAMI_FOLLOW_UP_MONTHS):
                state = State.SUSTAINED
                journey["sustained"] = contacted
        journey["follow_ups"] = follow_ups
        journey["ended_on"] = ended_on
        enrolment.state = state
        if state == State.SUSTAINED:
            enrolment.closed_at = _at(journey["sustained"], 13)

    def log_journey(self, enrolment, journey) -> None:
        opened = journey["opened"]
        outcome = journey["outcome"]
        self.log(enrolment, Action.REGISTER, "", State.INTAKE, opened)
        if outcome in ("withdrawn", "excluded"):
            previous = State.INTAKE
            if journey["assessed"]:
                self.log(enrolment, Action.ASSESS_READY, State.INTAKE, State.ASSESSED, opened)
                previous = State.ASSESSED
            self.log(
                enrolment,
                Action.WITHDRAW,
                previous,
                State.WITHDRAWN,
                journey["left"],
                reason=self.rng.choice(words.EARLY_WITHDRAWAL_REASONS),
            )
            return
        if outcome == "not_ready":
            self.log(
                enrolment,
                Action.ASSESS_NOT_READY,
                State.INTAKE,
                State.NOT_READY,
                journey["parked"],
                reason=self.rng.choice(words.NOT_READY_REFERRALS),
            )
            return
        self.log(enrolment, Action.ASSESS_READY, State.INTAKE, State.ASSESSED, opened)
        self.log(
            enrolment, Action.START_TRAINING, State.ASSESSED, State.TRAINING, journey["started"]
        )
        if outcome == "training":
            return
        self.log(
            enrolment, Action.FINISH_TRAINING, State.TRAINING, State.TRAINED, journey["finished"]
        )
        if outcome == "trained":
            return
        self.log(enrolment, Action.PLACE, State.TRAINED, State.PLACED, journey["placement"])
        if journey["ended_on"]:
            self.log(
                enrolment,
                Action.END_PLACEMENT,
                State.PLACED,
                State.SEEKING_WORK,
                journey["ended_on"],
            )
        elif journey.get("sustained"):
            self.log(enrolment, Action.SUSTAIN, State.PLACED, State.SUSTAINED, journey["sustained"])

    def make_placements(self, placed) -> None:
        rng = self.rng
        employers = Employer.objects.bulk_create(
            Employer(
                centre=self.centre,
                name=name,
                name_key=name.replace(" ", ""),
                kind=kind,
                sector="خدمات",
                province=self.centre.province,
                city=self.centre.city,
                created_by=self.actor,
            )
            for name, kind in (
                (
                    f"کارگاه تولیدی {self.centre.city} {self.centre.code}",
                    EmployerKind.PRODUCTION_UNIT,
                ),
                (f"شرکت خدماتی {self.centre.code}", EmployerKind.COMPANY),
                (f"شرکت فناوری {self.centre.code}", EmployerKind.TECHNOLOGY_COMPANY),
            )
        )
        placements = []
        for enrolment, journey in placed:
            own_business = rng.random() < SELF_EMPLOYED_SHARE
            common = {
                "centre": self.centre,
                "enrolment": enrolment,
                "starts_on": journey["placement"],
                "ended_on": journey["ended_on"],
                "end_reason": "کار را از دست داد" if journey["ended_on"] else "",
                "created_by": self.actor,
                "created_at": _at(journey["placement"], 11),
            }
            if own_business:
                placement = Placement(
                    kind=PlacementKind.SELF_EMPLOYMENT,
                    business_name=rng.choice(["خیاطی خانگی", "نان‌پزی محلی", "تعمیر موبایل"]),
                    premises=rng.choice(Premises.values),
                    activity="کسب‌وکار خانگی با حمایت مرکز",
                    **common,
                )
            else:
                placement = Placement(
                    kind=PlacementKind.WAGE_JOB,
                    employer=rng.choice(employers),
                    job_title=rng.choice(["چرخ‌کار", "کارمند خدمات", "تکنسین", "برنامه‌نویس"]),
                    skill_level=rng.choice(SkillLevel.values),
                    monthly_wage=rng.randint(15, 30) * 10_000_000,
                    contract_type=rng.choice([ContractType.FIXED_TERM, ContractType.PERMANENT]),
                    **common,
                )
            placements.append(placement)
        Placement.objects.bulk_create(placements)
        follow_ups, loans = [], []
        for placement, (_enrolment, journey) in zip(placements, placed, strict=True):
            follow_ups += self.follow_up_rows(placement, journey)
            if placement.kind == PlacementKind.SELF_EMPLOYMENT and rng.random() < LOAN_SHARE:
                loans.append(placement)
        FollowUp.objects.bulk_create(follow_ups)
        self.make_loans(loans)

    def follow_up_rows(self, placement, journey) -> list[FollowUp]:
        rows = []
        wage = placement.monthly_wage or 180_000_000
        for plan in journey["follow_ups"]:
            row = FollowUp(
                centre=self.centre,
                placement=placement,
                months_after=plan["months"],
                due_on=plan["due_on"],
                assigned_to=self.actor,
                status=status_on(plan["due_on"], self.today),
            )
            if plan.get("cancelled"):
                row.status = FollowUpStatus.CANCELLED
                row.cancelled_at = _at(plan["cancelled"], 14)
                row.cancel_reason = "کار پایان یافت"
            elif plan.get("missed"):
                row.status = FollowUpStatus.MISSED
            elif "contacted" in plan:
                working = plan["working"]
                if placement.kind == PlacementKind.SELF_EMPLOYMENT:
                    outcome = Outcome.OWN_BUSINESS
                else:
                    outcome = Outcome.SAME_JOB if self.rng.random() < 0.9 else Outcome.ANOTHER_JOB
                row.status = FollowUpStatus.DONE
                row.contacted_on = plan["contacted"]
                row.outcome = outcome if working else Outcome.UNEMPLOYED
                row.monthly_income = (
                    int(wage * self.rng.uniform(0.9, 1.2)) // 10_000 * 10_000 if working else 0
                )
                row.recorded_at = _at(plan["contacted"], 15)
                row.recorded_by = self.actor
                if plan["contacted"] > plan["due_on"] + timedelta(
                    days=settings.HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER
                ):
                    row.outside_window_reason = "مددجو در دسترس نبود"
            rows.append(row)
        return rows

    def make_loans(self, placements) -> None:
        """A soft loan paid out ten days before each business opened; repaid on time but
        for about one in ten, which fell behind."""
        if not placements:
            return
        rng, product = self.rng, self.product
        plans = BusinessPlan.objects.bulk_create(
            BusinessPlan(
                client_id=p.enrolment.client_id,
                title=p.business_name,
                activity=p.activity,
                premises="home_based" if p.premises == Premises.HOME else "premises",
                own_contribution=20_000_000,
                monthly_revenue=40_000_000,
                monthly_costs=15_000_000,
                created_by=self.actor,
                created_at=_at(p.starts_on - timedelta(days=40)),
            )
            for p in placements
        )
        applications = []
        for placement, plan in zip(placements, plans, strict=True):
            amount = rng.choice([50, 80, 120, 200, 300, 450]) * 1_000_000
            disbursed_on = placement.starts_on - timedelta(days=10)
            applications.append(
                LoanApplication(
                    plan=plan,
                    client_id=plan.client_id,
                    centre=self.centre,
                    product=product,
                    state=LoanState.DISBURSED,
                    term_months=product.max_term_months,
                    amount=amount,
                    requested_amount=amount,
                    sized_amount=amount,
                    recommended_amount=amount,
                    approved_amount=amount,
                    credit_line=self.line,
                    recommended_by=self.admin,
                    approved_by=self.national,
                    disbursed_by=self.admin,
                    submitted_at=_at(disbursed_on - timedelta(days=25)),
                    decided_at=_at(disbursed_on - timedelta(days=15)),
                    bank=self.line.bank,
                    bank_reference=f"ART-{self.centre.code}-{len(applications) + 1}",
                    disbursed_on=disbursed_on,
                    first_due_on=add_months(disbursed_on, 1),
                    created_by=self.actor,
                    created_at=_at(disbursed_on - timedelta(days=30)),
                )
            )
        LoanApplication.objects.bulk_create(applications)
        installments = []
        for loan in applications:
            behind = rng.random() < 0.1
            rows = build_schedule(
                loan.approved_amount,
                Decimal(product.annual_rate),
                product.max_term_months,
                product.grace_months,
                loan.first_due_on,
                method=product.amortisation,
            )
            due = [row for row in rows if row.due_date < self.today]
            unpaid_from = max(len(due) - rng.randint(2, 4), 0) if behind else len(due)
            for number, row in enumerate(rows, start=1):
                paid = number <= unpaid_from
                installments.append(
                    Installment(
                        loan=loan,
                        number=number,
                        due_on=row.due_date,
                        principal_due=row.principal,
                        interest_due=row.interest,
                        principal_paid=row.principal if paid else 0,
                        interest_paid=row.interest if paid else 0,
                        paid_on=row.due_date if paid else None,
                    )
                )
            if unpaid_from == len(rows):
                loan.state = LoanState.REPAID
            elif unpaid_from > 0:
                loan.state = LoanState.REPAYING
            if unpaid_from < len(due):
                loan.overdue_since = due[unpaid_from].due_date
                loan.days_past_due = (self.today - loan.overdue_since).days
            loan.arrears_as_of = self.today
        Installment.objects.bulk_create(installments)
        LoanApplication.objects.bulk_update(
            applications, ["state", "overdue_since", "days_past_due", "arrears_as_of"]
        )
