"""factory-boy factories, and the registry the access-matrix test uses to put one object
of each scoped model into a given centre."""

from datetime import date, timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.models import Centre, Course, Membership, Province, Trade
from centres.roles import NATIONAL_OFFICE_GROUP
from centres.services import set_membership
from clients.models import Category, Client, ClientImport, Education, Enrolment, Gender, State
from hami.models import User
from hami.validators import national_code_check_digit

PASSWORD = "a-long-test-password-1403"


class DjangoModelFactory(factory.django.DjangoModelFactory):
    """Factories arrange data across centres, outside the django-scopes net."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "مریم"
    last_name = factory.Sequence(lambda n: f"کاربر {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CentreFactory(DjangoModelFactory):
    class Meta:
        model = Centre
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"TST-{n:02d}")
    name = factory.Sequence(lambda n: f"مرکز حمایت شغلی آزمایشی {n}")
    province = factory.LazyFunction(lambda: Province.objects.order_by("code").first())
    city = "تهران"
    training_capacity = 60


def make_member(centre, role=Membership.Role.STAFF, **user_fields):
    user = UserFactory(**user_fields)
    set_membership(user=user, centre=centre, role=role)
    return user


def make_national(**user_fields):
    user = UserFactory(**user_fields)
    user.groups.add(Group.objects.get(name=NATIONAL_OFFICE_GROUP))
    return user


# How to make one object of each model that views look up by `pk`, owned by a centre.
# A new view with `@access(..., model=X)` needs X here; the access-matrix test says so.
OBJECT_IN_CENTRE = {
    Centre: lambda centre: centre,
}


class TradeFactory(DjangoModelFactory):
    class Meta:
        model = Trade
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"trade-{n}")
    name_fa = factory.Sequence(lambda n: f"رشته {n}")
    name_en = factory.Sequence(lambda n: f"Trade {n}")


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    centre = factory.SubFactory(CentreFactory)
    trade = factory.SubFactory(TradeFactory)
    title = factory.Sequence(lambda n: f"دوره خیاطی {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=80))
    hours = 240
    instructor = "فاطمه رضایی"


def national_code(n: int) -> str:
    """A valid national code made from a number (the check digit computed)."""
    first_nine = f"{(n * 7919 + 1234567) % 10**9:09d}"
    if len(set(first_nine)) == 1:
        first_nine = "12345678" + first_nine[-1]
    return first_nine + str(national_code_check_digit(first_nine))


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    centre = factory.SubFactory(CentreFactory)
    id_number = factory.Sequence(national_code)
    welfare_file_number = factory.Sequence(lambda n: f"WF-{n:06d}")
    first_name = "زهرا"
    last_name = factory.Sequence(lambda n: f"احمدی {n}")
    gender = Gender.FEMALE
    birth_date = date(1990, 3, 21)
    mobile = "09121234567"
    province = factory.LazyFunction(lambda: Province.objects.order_by("code").first())
    city = "تهران"
    category = Category.FEMALE_HEAD
    education = Education.DIPLOMA
    consent_recorded_at = factory.LazyFunction(timezone.now)
    created_by = factory.LazyFunction(lambda: UserFactory(username="registrar"))


def _today_if(condition: bool):
    return timezone.localdate() if condition else None


class EnrolmentFactory(DjangoModelFactory):
    """An enrolment in any state, set directly (services are for behaviour under test),
    with the fields the database requires of that state."""

    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    class Params:
        trained = factory.LazyAttribute(
            lambda o: o.state in {State.TRAINED, State.PLACED, State.SUSTAINED, State.SEEKING_WORK}
        )
        has_course = factory.LazyAttribute(
            lambda o: o.trained or o.state in {State.TRAINING, State.WAITING}
        )

    client = factory.SubFactory(ClientFactory)
    centre = factory.SelfAttribute("client.centre")
    state = State.INTAKE
    course = factory.LazyAttribute(
        lambda o: CourseFactory(centre=o.centre) if o.has_course else None
    )
    # A trainee started today; a former trainee took the whole course and finished today.
    training_started_on = factory.LazyAttribute(
        lambda o: o.course.starts_on if o.trained else _today_if(o.state == State.TRAINING)
    )
    training_finished_on = factory.LazyAttribute(lambda o: _today_if(o.trained))
    attendance_percent = factory.LazyAttribute(lambda o: 90 if o.trained else None)
    waiting_since = factory.LazyAttribute(
        lambda o: timezone.now() if o.state == State.WAITING else None
    )
    review_on = factory.LazyAttribute(
        lambda o: timezone.localdate() + timedelta(days=30) if o.state == State.NOT_READY else None
    )
    closed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.state in {State.WITHDRAWN, State.SUSTAINED} else None
    )

    @factory.post_generation
    def current_for_client(enrolment, create, extracted, **kwargs):
        """The client's current enrolment and its state, as the services keep them: the
        latest opened."""
        if not create:
            return
        latest = (
            Enrolment._base_manager.filter(client=enrolment.client_id)
            .order_by("-opened_at", "-pk")
            .first()
        )
        Client._base_manager.filter(pk=enrolment.client_id).update(
            current_enrolment=latest, current_state=latest.state
        )
        enrolment.client.current_enrolment = latest
        enrolment.client.current_state = latest.state


class ClientImportFactory(DjangoModelFactory):
    """A confirmed import, as the import page records it before its task runs."""

    class Meta:
        model = ClientImport

    centre = factory.SubFactory(CentreFactory)
    created_by = factory.LazyFunction(lambda: UserFactory(username="importer"))
    file_name = factory.Sequence(lambda n: f"{n:032x}.xlsx")
    original_name = "clients.xlsx"
    language = "fa"


OBJECT_IN_CENTRE.update(
    {
        Client: lambda centre: ClientFactory(centre=centre),
        ClientImport: lambda centre: ClientImportFactory(centre=centre),
        Enrolment: lambda centre: EnrolmentFactory(client=ClientFactory(centre=centre)),
        Course: lambda centre: CourseFactory(centre=centre),
    }
)


# -- placements ------------------------------------------------------------------------------

from placements.models import (  # noqa: E402
    ContractType,
    Employer,
    EmployerKind,
    FollowUp,
    Opening,
    Placement,
    PlacementKind,
    SkillLevel,
    status_on,
)
from placements.services import follow_up_schedule  # noqa: E402


def valid_company_id(n: int) -> str:
    """A valid national company ID made from a number (the check digit computed)."""
    from hami.validators import company_id_check_digit

    first_ten = f"10{(n * 7907 + 123457) % 10**8:08d}"
    return first_ten + str(company_id_check_digit(first_ten))


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Employer

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"کارگاه تولیدی نمونه {n}")
    kind = EmployerKind.PRODUCTION_UNIT
    sector = "پوشاک"
    province = factory.LazyFunction(lambda: Province.objects.order_by("code").first())
    city = "تهران"
    contact_person = "آقای رحیمی"
    phone = "02166554433"
    created_by = factory.LazyFunction(lambda: UserFactory(username="registrar"))


class OpeningFactory(DjangoModelFactory):
    class Meta:
        model = Opening

    employer = factory.SubFactory(EmployerFactory)
    centre = factory.SelfAttribute("employer.centre")
    trade = factory.SubFactory(TradeFactory)
    title = "چرخ‌کار"
    city = "تهران"
    places = 3
    wage_offered = 150_000_000
    skill_level = SkillLevel.SIMPLE
    open_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    created_by = factory.LazyFunction(lambda: UserFactory(username="registrar"))


class PlacementFactory(DjangoModelFactory):
    """A wage job of a placed client, with its follow-ups (as `services.place` makes them),
    set directly: services are for behaviour under test."""

    class Meta:
        model = Placement
        skip_postgeneration_save = True

    enrolment = factory.LazyAttribute(lambda o: EnrolmentFactory(state=State.PLACED))
    centre = factory.SelfAttribute("enrolment.centre")
    kind = PlacementKind.WAGE_JOB
    employer = factory.LazyAttribute(lambda o: EmployerFactory(centre=o.centre))
    job_title = "چرخ‌کار"
    skill_level = SkillLevel.SIMPLE
    monthly_wage = 150_000_000
    contract_type = ContractType.FIXED_TERM
    starts_on = factory.LazyFunction(timezone.localdate)
    created_by = factory.LazyFunction(lambda: UserFactory(username="registrar"))

    @factory.post_generation
    def follow_ups(obj, create, extracted, **kwargs):
        if not create:
            return
        today = timezone.localdate()
        with scopes_disabled():
            FollowUp.objects.bulk_create(
                FollowUp(
                    centre=obj.centre,
                    placement=obj,
                    months_after=months,
                    due_on=due_on,
                    assigned_to=obj.created_by,
                    status=status_on(due_on, today),
                )
                for months, due_on in follow_up_schedule(obj.starts_on)
            )


def placed_with_first_follow_up_due(centre, *, by=None, days_ago=0):
    """A placement of `centre` that started a Jalali month (and `days_ago` days) ago: its
    first follow-up falls due today (or `days_ago` days ago)."""
    from hami.jalali import add_months

    by = by or UserFactory(username="registrar")
    started = add_months(timezone.localdate() - timedelta(days=days_ago), -1)
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=timezone.now() - timedelta(days=400)
        )
    return PlacementFactory(enrolment=enrolment, starts_on=started, created_by=by)


def _first_follow_up(centre):
    placement = placed_with_first_follow_up_due(centre)
    with scopes_disabled():
        return placement.follow_ups.order_by("months_after").first()


# -- loans ----------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from loans import services as loan_services  # noqa: E402
from loans.models import (  # noqa: E402
    ArrearsFollowUp,
    BusinessPlan,
    CostItem,
    CreditLine,
    Guarantor,
    LoanApplication,
    LoanProduct,
    Repayment,
)
from loans.models import State as LoanState  # noqa: E402


class LoanProductFactory(DjangoModelFactory):
    """An interest-free loan of 10 to 500 million rials (1 to 50 million tomans) over at
    most 36 months: every amount is easy to work out by hand."""

    class Meta:
        model = LoanProduct
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"قرض‌الحسنه اشتغال {n}")
    annual_rate = Decimal(0)
    min_amount = 10_000_000
    max_amount = 500_000_000
    max_term_months = 36
    grace_months = 0
    amortisation = "annuity"


class CreditLineFactory(DjangoModelFactory):
    class Meta:
        model = CreditLine

    bank = "بانک توسعه تعاون"
    reference = factory.Sequence(lambda n: f"CL-1403-{n:04d}")
    fiscal_year = 1403
    total_amount = 1_000_000_000
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3 * 365))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class BusinessPlanFactory(DjangoModelFactory):
    """A tailoring workshop at home: 150,000,000 rials of cost items (added by the
    factory), 30,000,000 of the client's own, a profit of 10,000,000 a month."""

    class Meta:
        model = BusinessPlan
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    title = "کارگاه خیاطی خانگی"
    activity = "دوخت لباس و تعمیرات برای همسایگان و یک فروشگاه محلی"
    premises = "home_based"
    own_contribution = 30_000_000
    monthly_revenue = 25_000_000
    monthly_costs = 15_000_000
    jobs_created = 2
    created_by = factory.LazyFunction(lambda: UserFactory(username="planner"))

    @factory.post_generation
    def items(plan, create, extracted, **kwargs):
        if not create:
            return
        items = extracted or [
            ("equipment", "چرخ خیاطی صنعتی", 2, 50_000_000),
            ("raw_materials", "پارچه و نخ", 10, 4_000_000),
            ("working_capital", "سرمایه در گردش سه ماه", 1, 10_000_000),
        ]
        with scopes_disabled():
            for category, description, quantity, unit_cost in items:
                CostItem.objects.create(
                    plan=plan,
                    category=category,
                    description=description,
                    quantity=quantity,
                    unit_cost=unit_cost,
                )


LOAN_STATES_AFTER_RECOMMENDATION = {
    LoanState.RECOMMENDED,
    LoanState.APPROVED,
    LoanState.REJECTED,
    LoanState.DISBURSED,
    LoanState.REPAYING,
    LoanState.REPAID,
    LoanState.DEFAULTED,
}
LOAN_STATES_APPROVED = {
    LoanState.APPROVED,
    LoanState.DISBURSED,
    LoanState.REPAYING,
    LoanState.REPAID,
    LoanState.DEFAULTED,
}
LOAN_STATES_LENT = LOAN_STATES_APPROVED - {LoanState.APPROVED}


class LoanApplicationFactory(DjangoModelFactory):
    """An application in any state, set directly, with the fields the database requires
    of that state (a line, approver and disburser; no schedule: use
    `make_disbursed_loan` for a loan to repay). 100,000,000 rials over 20 months."""

    class Meta:
        model = LoanApplication

    class Params:
        recommended = factory.LazyAttribute(lambda o: o.state in LOAN_STATES_AFTER_RECOMMENDATION)
        approved = factory.LazyAttribute(lambda o: o.state in LOAN_STATES_APPROVED)
        lent = factory.LazyAttribute(lambda o: o.state in LOAN_STATES_LENT)

    plan = factory.SubFactory(BusinessPlanFactory)
    client = factory.SelfAttribute("plan.client")
    centre = factory.SelfAttribute("plan.client.centre")
    product = factory.SubFactory(LoanProductFactory, name="قرض‌الحسنه اشتغال")
    state = LoanState.DRAFT
    term_months = 20
    amount = 100_000_000
    requested_amount = 100_000_000
    sized_amount = factory.LazyAttribute(
        lambda o: 120_000_000 if o.state != LoanState.DRAFT else None
    )
    created_by = factory.LazyFunction(lambda: UserFactory(username="planner"))
    recommended_amount = factory.LazyAttribute(lambda o: 100_000_000 if o.recommended else None)
    recommended_by = factory.LazyAttribute(
        lambda o: UserFactory(username="recommender") if o.recommended else None
    )
    approved_amount = factory.LazyAttribute(lambda o: 100_000_000 if o.approved else None)
    approved_by = factory.LazyAttribute(
        lambda o: UserFactory(username="approver") if o.approved else None
    )
    credit_line = factory.LazyAttribute(lambda o: CreditLineFactory() if o.approved else None)
    decided_at = factory.LazyAttribute(lambda o: timezone.now() if o.approved else None)
    disbursed_by = factory.LazyAttribute(
        lambda o: UserFactory(username="disburser") if o.lent else None
    )
    disbursed_on = factory.LazyAttribute(lambda o: timezone.localdate() if o.lent else None)
    first_due_on = factory.LazyAttribute(
        lambda o: timezone.localdate() + timedelta(days=30) if o.lent else None
    )


class GuarantorFactory(DjangoModelFactory):
    class Meta:
        model = Guarantor

    application = factory.SubFactory(LoanApplicationFactory)
    full_name = "محمد رضایی"
    national_code = factory.Sequence(lambda n: national_code(n + 500_000))
    relation = "برادر"
    kind = "person"


class RepaymentFactory(DjangoModelFactory):
    """A repayment row as it stands (no allocation: use the service to pay a schedule)."""

    class Meta:
        model = Repayment

    loan = factory.SubFactory(LoanApplicationFactory, state=LoanState.REPAYING)
    paid_on = factory.LazyFunction(timezone.localdate)
    amount = 5_000_000
    bank_reference = "TX-9"
    recorded_by = factory.LazyFunction(lambda: UserFactory(username="cashier"))


def make_disbursed_loan(
    centre, *, amount=100_000_000, term_months=20, product=None, disbursed_on=None, line=None
):
    """A loan taken through the services from draft to disbursed (its schedule made),
    with a recommender, approver and disburser of its own; every step dated on the day of
    the disbursement (today by default)."""
    from datetime import datetime, time

    from centres.models import Membership

    disbursed_on = disbursed_on or timezone.localdate()
    # 10:00 that day, or now if that is still to come (a test run just after midnight
    # must not date the loan's steps after the repayments it records next).
    at = min(timezone.make_aware(datetime.combine(disbursed_on, time(10))), timezone.now())
    with scopes_disabled():
        product = product or LoanProductFactory(name="قرض‌الحسنه اشتغال")
        plan = BusinessPlanFactory(client=ClientFactory(centre=centre))
        staff = make_member(centre, username=f"loan.staff.{centre.code}")
        manager = make_member(
            centre, role=Membership.Role.MANAGER, username=f"loan.manager.{centre.code}"
        )
        approver = make_national(username="loan.approver")
        disburser = make_national(username="loan.disburser")
        line = line or CreditLineFactory()
        application = loan_services.create_application(
            plan=plan, product=product, term_months=term_months, amount=amount, by=staff, at=at
        )
        loan_services.submit(application=application, by=staff, at=at)
        loan_services.recommend(application=application, by=manager, at=at)
        loan_services.approve(application=application, by=approver, credit_line=line, at=at)
        loan_services.disburse(
            application=application,
            by=disburser,
            bank="بانک توسعه تعاون",
            disbursed_on=disbursed_on,
            bank_reference="TX-1",
            at=at,
        )
        application.refresh_from_db()
        return application


OBJECT_IN_CENTRE.update(
    {
        Employer: lambda centre: EmployerFactory(centre=centre),
        Opening: lambda centre: OpeningFactory(employer=EmployerFactory(centre=centre)),
        Placement: lambda centre: PlacementFactory(
            enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
        ),
        FollowUp: _first_follow_up,
        BusinessPlan: lambda centre: BusinessPlanFactory(client=ClientFactory(centre=centre)),
        LoanApplication: lambda centre: LoanApplicationFactory(
            plan=BusinessPlanFactory(client=ClientFactory(centre=centre))
        ),
        Guarantor: lambda centre: GuarantorFactory(
            application=LoanApplicationFactory(
                plan=BusinessPlanFactory(client=ClientFactory(centre=centre))
            )
        ),
        CreditLine: lambda centre: CreditLineFactory(),
        ArrearsFollowUp: lambda centre: ArrearsFollowUp.objects.create(
            loan=LoanApplicationFactory(
                plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
                state=LoanState.REPAYING,
                days_past_due=45,
            ),
            opened_on=timezone.localdate(),
            days_past_due=45,
        ),
        Repayment: lambda centre: RepaymentFactory(
            loan=LoanApplicationFactory(
                plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
                state=LoanState.REPAYING,
            )
        ),
    }
)


# -- centre-opening applications ---------------------------------------------------------------

from django.core.files.base import ContentFile  # noqa: E402

from centres.models import (  # noqa: E402
    ApplicationDocument,
    CentreApplication,
    DocumentKind,
    DocumentType,
)

# The smallest files each check accepts: what a scanner's PDF, JPEG and PNG start (and a
# PDF end) with.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64 + b"\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


class CentreApplicationFactory(DjangoModelFactory):
    class Meta:
        model = CentreApplication
        skip_postgeneration_save = True

    tracking_code = factory.Sequence(lambda n: f"TEST{n:08d}")
    organisation_name = factory.Sequence(lambda n: f"موسسه خیریه امید {n}")
    operator = "ngo"
    registration_number = factory.Sequence(lambda n: f"{12000 + n}")
    contact_name = "زهرا موسوی"
    contact_mobile = "09121234567"
    contact_email = "omid@example.org"
    province = factory.LazyFunction(lambda: Province.objects.order_by("code").first())
    city = "اراک"
    address = "خیابان امام، کوچه ۱۲، پلاک ۴"
    planned_capacity = 30
    staff_and_instructors = "مدیر: زهرا موسوی\nمربی خیاطی: فاطمه رضایی"
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def documents(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for kind in (DocumentKind.LICENCE, DocumentKind.LEASE, DocumentKind.CERTIFICATE):
            ApplicationDocumentFactory(application=obj, kind=kind)


class ApplicationDocumentFactory(DjangoModelFactory):
    class Meta:
        model = ApplicationDocument

    application = factory.SubFactory(CentreApplicationFactory, documents=False)
    kind = DocumentKind.LICENCE
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="licence.pdf"))
    content_type = DocumentType.PDF
    original_name = "licence.pdf"
    size = len(PDF_BYTES)
    uploaded_at = factory.LazyFunction(timezone.now)


OBJECT_IN_CENTRE.update(
    {
        # Applications belong to no centre yet: the centre given is ignored.
        CentreApplication: lambda centre: CentreApplicationFactory(),
        ApplicationDocument: lambda centre: ApplicationDocumentFactory(),
    }
)
