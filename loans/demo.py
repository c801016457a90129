"""Demo loans for `seed_demo` (the convention: centres/management/commands/seed_demo.py).

Two loan products, a bank credit line, and at each centre with demo logins a loan in every
state of the workflow — some repaid on time, one behind by six weeks, one defaulted —
taken there through the services with their real dates (`at=`), so schedules, repayments,
the ledger, arrears and follow-up tasks are what the pages would have made. A second
national-office login (`national.loans`) records disbursements: the four-eyes rule keeps
the approver from doing it.

The clients of the disbursed loans and of those being repaid who are ready to be placed
run the business their loan financed: each is placed in self-employment (through
`placements.services.place`) and the loan linked to it, as staff would do. The approved
loan is left unlinked, so placing its client offers it.

Idempotent per centre: a centre that has loan applications already is left as it is."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils import timezone

from centres import demo_data
from centres.management.commands.seed_demo import Seed, upsert
from centres.models import Membership
from centres.roles import NATIONAL_OFFICE_GROUP
from clients.models import Client, Enrolment
from clients.workflow import Action, can
from hami.jalali import add_months
from placements import services as placement_services
from placements.models import PlacementKind, Premises

from . import services
from .arrears import update_arrears
from .models import CreditLine, LoanApplication, LoanProduct
from .services import CostLine

SECOND_NATIONAL = "national.loans"

PRODUCTS = [
    {
        "name": "قرض‌الحسنه اشتغال مددجویان",
        "annual_rate": Decimal("0.04"),
        "min_amount": 10_000_000,
        "max_amount": 500_000_000,
        "max_term_months": 36,
        "grace_months": 3,
        "amortisation": "equal_principal",
    },
    {
        "name": "وام کم‌بهره مشاغل خانگی",
        "annual_rate": Decimal("0.04"),
        "min_amount": 10_000_000,
        "max_amount": 300_000_000,
        "max_term_months": 24,
        "grace_months": 0,
        "amortisation": "annuity",
    },
]

PLANS = [
    ("کارگاه خیاطی خانگی", "دوخت و تعمیر لباس برای همسایگان و یک فروشگاه محلی", "home_based"),
    ("نان‌پزی محلی", "پخت نان محلی و شیرینی خانگی برای فروش در محله", "home_based"),
    ("تعمیرگاه موبایل", "تعمیر گوشی و فروش لوازم جانبی در یک مغازه کوچک", "premises"),
    ("قالی‌بافی", "بافت فرش دستباف با دار خانگی", "home_based"),
    ("پرورش قارچ", "پرورش قارچ دکمه‌ای در یک سوله اجاره‌ای", "premises"),
    ("آرایشگاه زنانه", "آرایشگاه کوچک زنانه در محله", "premises"),
]


@dataclass(frozen=True)
class Story:
    """One demo loan: how far it goes, and how it is repaid."""

    state: str
    days_ago: int  # when the application was drafted
    amount: int
    repaid: str = ""  # "on_time", "behind", "never", "all"


STORIES = [
    Story("draft", 3, 80_000_000),
    Story("submitted", 6, 120_000_000),
    Story("recommended", 10, 150_000_000),
    Story("approved", 14, 100_000_000),
    Story("rejected", 20, 200_000_000),
    Story("withdrawn", 25, 60_000_000),
    Story("disbursed", 40, 90_000_000, repaid="never"),  # no installment due yet
    Story("repaying", 400, 120_000_000, repaid="on_time"),
    Story("repaying", 330, 150_000_000, repaid="behind"),  # six weeks behind
    Story("defaulted", 560, 100_000_000, repaid="never"),  # paid nothing: defaulted
    Story("repaid", 700, 40_000_000, repaid="all"),
]


def seed(seed: Seed) -> None:
    products = [_product(seed, fields) for fields in PRODUCTS]
    line = _credit_line(seed)
    approver, disburser = _national_users(seed)
    today = timezone.localdate()
    for code in sorted({row.centre_code for row in demo_data.USERS if row.centre_code}):
        centre = seed.centres.get(code)
        if centre is None:
            continue
        existing = LoanApplication.objects.filter(centre=centre).count()
        if existing:
            seed.count("loans", "unchanged", existing)
            continue
        staff, manager = _centre_people(seed, code)
        clients = list(
            Client.objects.filter(centre=centre).order_by("welfare_file_number")[: len(STORIES)]
        )
        if staff is None or manager is None or len(clients) < len(STORIES):
            continue
        for number, (story, client) in enumerate(zip(STORIES, clients, strict=True)):
            application = _tell(
                story,
                client=client,
                product=products[number % len(products)],
                line=line,
                plan=PLANS[number % len(PLANS)],
                people=(staff, manager, approver, disburser),
                today=today,
            )
            seed.count("loans", "created")
            if story.state in FINANCED_A_BUSINESS and _place_in_own_business(
                application, by=staff, today=today
            ):
                seed.count("businesses financed by a loan", "created")
    run = update_arrears(on=today)
    seed.count("arrears follow-ups", "created", run.follow_ups_opened)


def _product(seed: Seed, fields: dict) -> LoanProduct:
    product, outcome = upsert(
        LoanProduct, {"name": fields["name"]}, {k: v for k, v in fields.items() if k != "name"}
    )
    seed.count("loan products", outcome)
    return product


def _credit_line(seed: Seed) -> CreditLine:
    line = CreditLine.objects.filter(reference="CL-DEMO-1").first()
    if line is None:
        today = timezone.localdate()
        line = CreditLine.objects.create(
            bank="بانک توسعه تعاون",
            reference="CL-DEMO-1",
            fiscal_year=1403,
            total_amount=20_000_000_000,  # 2 billion tomans
            valid_from=today - timedelta(days=3 * 365),
            valid_to=today + timedelta(days=365),
        )
        seed.count("credit lines", "created")
    else:
        seed.count("credit lines", "unchanged")
    return line


def _national_users(seed: Seed):
    approver = seed.users.get("national")
    if approver is None:
        raise CommandError("The demo logins are missing: seed the users first.")
    User = get_user_model()
    disburser = User.objects.filter(username=SECOND_NATIONAL).first()
    if disburser is None:
        disburser = User(
            username=SECOND_NATIONAL,
            first_name="رضا",
            last_name="امینی",
            email=f"{SECOND_NATIONAL}@hami.example",
        )
        disburser.set_password(demo_data.DEMO_PASSWORD)
        disburser.save()
        disburser.groups.add(Group.objects.get(name=NATIONAL_OFFICE_GROUP))
        seed.count("users", "created")
    seed.users[SECOND_NATIONAL] = disburser
    return approver, disburser


def _centre_people(seed: Seed, code: str):
    people = {
        row.role: seed.users.get(row.username) for row in demo_data.USERS if row.centre_code == code
    }
    return people.get(Membership.Role.STAFF), people.get(Membership.Role.MANAGER)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _tell(story: Story, *, client, product, line, plan, people, today) -> LoanApplication:
    staff, manager, approver, disburser = people
    title, activity, premises = plan
    day = today - timedelta(days=story.days_ago)
    plan_row = services.save_plan(
        client=client,
        by=staff,
        at=_at(day, 9),
        items=[
            CostLine("equipment", "تجهیزات اصلی", 1, story.amount),
            CostLine("raw_materials", "مواد اولیه سه ماه", 3, 10_000_000),
            CostLine("working_capital", "سرمایه در گردش", 1, 20_000_000),
        ],
        title=title,
        activity=activity,
        premises=premises,
        own_contribution=50_000_000,
        monthly_revenue=30_000_000,
        monthly_costs=12_000_000,
        jobs_created=2,
    )
    application = services.create_application(
        plan=plan_row,
        product=product,
        term_months=product.max_term_months,
        amount=story.amount,
        by=staff,
        at=_at(day),
    )
    if story.state == "draft":
        return application
    if story.state == "withdrawn":
        services.withdraw(application=application, by=staff, reason="مددجو منصرف شد", at=_at(day))
        return application
    services.submit(application=application, by=staff, at=_at(day, 11))
    if story.state == "submitted":
        return application
    services.recommend(application=application, by=manager, at=_at(day + timedelta(days=2)))
    if story.state == "recommended":
        return application
    decided = day + timedelta(days=5)
    if story.state == "rejected":
        services.reject(
            application=application,
            by=approver,
            reason="سود پیش‌بینی‌شده با بازار محلی سازگار نیست",
            at=_at(decided),
        )
        return application
    services.approve(application=application, by=approver, credit_line=line, at=_at(decided))
    if story.state == "approved":
        return application
    disbursed_on = decided + timedelta(days=7)
    services.disburse(
        application=application,
        by=disburser,
        bank=line.bank,
        disbursed_on=disbursed_on,
        bank_reference=f"{application.pk:06d}",
        at=_at(disbursed_on, 12),
    )
    _repay(story, application, by=staff, today=today)
    return application


# The stories whose client runs the business the loan paid for (when ready to be placed).
FINANCED_A_BUSINESS = {"disbursed", "repaying"}
PREMISES = {"home_based": Premises.HOME, "premises": Premises.PREMISES}


def _place_in_own_business(application: LoanApplication, *, by, today) -> bool:
    """Place the loan's client in the business of the loan's plan, started a week after
    the disbursement (or when the client's enrolment began, if later), and link the loan
    to it. A client not ready to be placed is left as they are."""
    enrolment = (
        Enrolment.objects.filter(client=application.client, closed_at__isnull=True)
        .order_by("-opened_at")
        .first()
    )
    if enrolment is None or not can(enrolment, Action.PLACE):
        return False
    application.refresh_from_db()  # the services changed their own copy
    plan = application.plan
    starts_on = max(
        application.disbursed_on + timedelta(days=7), timezone.localdate(enrolment.opened_at)
    )
    last_step = application.transitions.order_by("-at").values_list("at", flat=True).first()
    at = max(timezone.now(), last_step + timedelta(minutes=1))
    placement = placement_services.place(
        enrolment=enrolment,
        by=by,
        kind=PlacementKind.SELF_EMPLOYMENT,
        starts_on=min(starts_on, today),
        business_name=plan.title,
        premises=PREMISES[plan.premises],
        activity=plan.activity[:200],
        at=at,
    )
    services.link_placement(loan=application, placement=placement, by=by, at=at)
    return True


def _repay(story: Story, application, *, by, today) -> None:
    """Pay the installments due as the story says: each on its due date, all of them, or
    all but the last two months' (six weeks behind)."""
    if story.repaid in ("", "never"):
        return
    installments = list(application.installments.order_by("number"))
    if story.repaid == "all":
        last = min(today, add_months(installments[0].due_on, 1))
        total = sum(i.total_due for i in installments)
        services.record_repayment(
            loan=application, by=by, paid_on=last, amount=total, at=_at(last, 14)
        )
        return
    stop = today if story.repaid == "on_time" else today - timedelta(days=72)
    for installment in installments:
        if installment.due_on > stop:
            break
        services.record_repayment(
            loan=application,
            by=by,
            paid_on=installment.due_on,
            amount=installment.total_due,
            at=_at(installment.due_on, 14),
        )
