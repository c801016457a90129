"""The demo clients `seed_demo` makes (clients/demo.py): real journeys through the services,
in a realistic mix of states, and nothing new on a second run."""

import re
from collections import Counter

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.management.commands.seed_demo import Seed, seed_centres, seed_users
from centres.models import Course
from clients import demo
from clients.models import Category, Client, Enrolment, EnrolmentTransition, Gender, State
from clients.services import seats_taken
from clients.workflow import Action
from hami.validators import validate_national_code

pytestmark = pytest.mark.django_db

ARABIC_LETTERS = {"\u064a", "\u0643", "\u0649"}  # Arabic yeh, kaf, alef maksura
FULL, PART_FULL = "THR-01", "SHZ-01"  # a centre with demo logins, one without


def run(codes=(FULL, PART_FULL), scale="small") -> Seed:
    """Seed the centres and logins, then the demo clients of `codes` only (fast)."""
    seed = Seed(scale=scale)
    seed_centres(seed)
    seed_users(seed)
    seed.centres = {code: seed.centres[code] for code in codes}
    demo.seed(seed)
    return seed


def states(code):
    return Counter(Enrolment.objects.filter(centre__code=code).values_list("state", flat=True))


def test_each_centre_has_courses_and_clients_in_many_states():
    with scopes_disabled():
        run()
        today = timezone.localdate()
        for code in (FULL, PART_FULL):
            courses = Course.objects.filter(centre__code=code)
            assert 3 <= courses.count() <= 4
            assert courses.filter(ends_on__lt=today).exists()  # finished
            assert courses.filter(starts_on__lte=today, ends_on__gte=today).exists()  # running
            assert courses.filter(starts_on__gt=today).exists()  # upcoming
            assert len({course.trade_id for course in courses}) == courses.count()
            assert all(" — گروه " in course.title for course in courses)

            seen = states(code)
            assert {
                State.INTAKE,
                State.ASSESSED,
                State.NOT_READY,
                State.TRAINING,
                State.TRAINED,
                State.WITHDRAWN,
            } <= set(seen)
            assert 25 <= Client.objects.filter(centre__code=code).count() <= 100
            due = Enrolment.objects.filter(
                centre__code=code, state=State.NOT_READY, review_on__lte=today
            )
            assert due.exists()
            withdrawn = EnrolmentTransition.objects.filter(
                enrolment__centre__code=code, action=Action.WITHDRAW
            )
            assert withdrawn.exists() and all(step.reason for step in withdrawn)
        assert 25 <= Client.objects.filter(centre__code=PART_FULL).count() <= 40


def test_training_never_exceeds_capacity_and_stays_within_the_course():
    with scopes_disabled():
        seed = run()
        for centre in seed.centres.values():
            assert seats_taken(centre) <= centre.training_capacity
            for enrolment in Enrolment.objects.filter(
                centre=centre, training_started_on__isnull=False
            ):
                course = enrolment.course
                assert course.centre_id == centre.pk
                assert course.starts_on <= enrolment.training_started_on <= course.ends_on
                if enrolment.training_finished_on:
                    assert enrolment.training_finished_on == course.ends_on
        part_full = seed.centres[PART_FULL]
        assert 0 < seats_taken(part_full) < part_full.training_capacity
        assert not Enrolment.objects.waiting_list(part_full).exists()


def test_a_centre_with_demo_logins_is_full_with_a_line_and_one_seat_offered():
    with scopes_disabled():
        seed = run()
        centre = seed.centres[FULL]
        line = list(Enrolment.objects.waiting_list(centre))
        assert 3 <= len(line) <= 5
        assert [bool(enrolment.seat_offered_at) for enrolment in line] == [True] + [False] * (
            len(line) - 1
        )
        assert seats_taken(centre) == centre.training_capacity
        assert Enrolment.objects.in_training(centre).count() == centre.training_capacity - 1
        # The centre's own staff and manager did the work.
        by = set(
            EnrolmentTransition.objects.filter(enrolment__centre=centre).values_list(
                "by__username", flat=True
            )
        )
        assert by == {"staff.thr01", "manager.thr01"}


def test_every_journey_is_logged_from_registration_in_order_and_in_the_past():
    with scopes_disabled():
        run()
        now = timezone.now()
        enrolments = Enrolment.objects.select_related("client").prefetch_related("transitions")
        for enrolment in enrolments:
            steps = list(enrolment.transitions.all())
            assert steps[0].action == Action.REGISTER
            assert steps[0].at == enrolment.opened_at == enrolment.client.created_at
            assert [step.at for step in steps] == sorted(step.at for step in steps)
            assert steps[-1].at <= now
            assert steps[-1].to_state == enrolment.state
        first = Enrolment.objects.order_by("opened_at").first()
        assert (now - first.opened_at).days > 150  # registrations spread over months


def test_a_second_run_creates_nothing():
    with scopes_disabled():
        run()
        before = (
            Client.objects.count(),
            Enrolment.objects.count(),
            Course.objects.count(),
            EnrolmentTransition.objects.count(),
        )
        seed = run()
        after = (
            Client.objects.count(),
            Enrolment.objects.count(),
            Course.objects.count(),
            EnrolmentTransition.objects.count(),
        )
        assert after == before
        for kind in ("clients", "enrolments", "courses"):
            assert set(seed.tally[kind]) == {"unchanged"}
        assert seed.tally["clients"]["unchanged"] == before[0]


def test_clients_look_like_real_people():
    with scopes_disabled():
        run()
        clients = list(Client.objects.all())
        for client in clients:
            text = (
                client.first_name
                + client.last_name
                + client.father_name
                + client.city
                + client.address
            )
            assert not ARABIC_LETTERS & set(text), text
            assert validate_national_code(client.id_number) == client.id_number
            assert re.fullmatch(r"09\d{9}", client.mobile)
            assert re.fullmatch(rf"{client.centre.code}-\d{{5}}", client.welfare_file_number)
            age = (client.created_at.date() - client.birth_date).days / 365.2425
            assert 18 <= age <= 55
            assert client.province_id == client.centre.province_id
            if client.category == Category.FEMALE_HEAD:
                assert client.gender == Gender.FEMALE
        categories = Counter(client.category for client in clients)
        assert categories[Category.FEMALE_HEAD] == max(categories.values())  # the largest group
        assert len(categories) >= 5
        assert len({client.first_name for client in clients}) > 30
        assert len({client.education for client in clients}) >= 5


def test_national_scale_makes_200_clients_a_centre():
    with scopes_disabled():
        seed = run(codes=("ZAH-01",), scale="national")
        centre = seed.centres["ZAH-01"]
        assert Client.objects.filter(centre=centre).count() == 200
        assert seats_taken(centre) <= centre.training_capacity
        seen = states("ZAH-01")
        assert seen[State.TRAINED] > seen[State.WITHDRAWN] > seen[State.INTAKE]
        assert Course.objects.filter(centre=centre, ends_on__lt=timezone.localdate()).count() >= 4
