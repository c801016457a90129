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

    class Params:
        trained = factory.LazyAttribute(
            lambda o: o.state in {State.TRAINED, State.PLACED, State.SUSTAINED}
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
