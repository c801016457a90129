"""`seed_demo --scale national` writes its rows straight into the tables
(`benchmarks/national.py`); here it runs small, and the rows must be what the services
would have left: every constraint held, and the rules no constraint holds."""

from collections import Counter

import pytest
from django.db.models import Count, Max
from django_scopes import scopes_disabled

from benchmarks import national
from centres.management.commands.seed_demo import PARTS, Seed
from centres.models import Centre
from clients.models import Client, Enrolment, State
from loans.models import ACTIVE_STATES, Installment, LoanApplication
from placements.models import FollowUp, FollowUpStatus, Placement

pytestmark = pytest.mark.django_db

CENTRES = 18  # the 16 demo centres and two more
PER_CENTRE = 100


def build() -> Seed:
    seed = Seed(scale="national")
    with scopes_disabled():
        for part in PARTS:
            part(seed)
        national.build(seed, centres=CENTRES, clients_per_centre=PER_CENTRE, progress=None)
    return seed


@pytest.fixture
def network():
    return build()


def test_every_centre_gets_its_clients_and_new_centres_are_added(network):
    with scopes_disabled():
        assert Centre.objects.count() == 18
        per_centre = Counter(Client.objects.values_list("centre__code", flat=True))
        assert set(per_centre.values()) == {100}
        assert Client.objects.filter(welfare_file_number="NAT-0018-N00100").exists()


def test_each_client_current_enrolment_is_their_latest(network):
    with scopes_disabled():
        for client in Client.objects.select_related("current_enrolment"):
            latest = Enrolment.objects.filter(client=client).order_by("-opened_at", "-pk")[0]
            assert client.current_enrolment == latest
        # About one client in five withdrew once before the journey they are on.
        reenrolled = Enrolment.objects.values("client").annotate(n=Count("pk")).filter(n=2)
        assert 0.15 * 1800 < reenrolled.count() < 0.25 * 1800


def test_half_the_clients_were_placed_and_followed_up_on_their_dates(network):
    with scopes_disabled():
        states = Counter(Client.objects.values_list("current_enrolment__state", flat=True))
        placed = states[State.PLACED] + states[State.SUSTAINED] + states[State.SEEKING_WORK]
        assert placed == Placement.objects.count() == 18 * 50
        assert FollowUp.objects.count() == 4 * placed
        assert states[State.TRAINING] == 18 * 6
        follow_up = FollowUp.objects.select_related("placement").filter(months_after=12).first()
        assert follow_up.due_on > follow_up.placement.starts_on
        # A sustained client's 12-month follow-up was done.
        assert (
            not FollowUp.objects.filter(
                placement__enrolment__state=State.SUSTAINED, months_after=12
            )
            .exclude(status=FollowUpStatus.DONE)
            .exists()
        )


def test_disbursed_loans_have_schedules_that_add_up(network):
    with scopes_disabled():
        assert LoanApplication.objects.exists()
        for loan in LoanApplication.objects.filter(state__in=ACTIVE_STATES):
            rows = Installment.objects.filter(loan=loan)
            assert rows.count() == loan.term_months
            assert sum(row.principal_due for row in rows) == loan.approved_amount


def test_a_second_run_changes_nothing_and_new_rows_get_fresh_ids(network):
    with scopes_disabled():
        before = Client.objects.count(), Enrolment.objects.count(), FollowUp.objects.count()
        largest = Client.objects.aggregate(Max("pk"))["pk__max"]
    seed = build()
    with scopes_disabled():
        assert (Client.objects.count(), Enrolment.objects.count(), FollowUp.objects.count()) == (
            before
        )
        assert seed.tally["centres (national scale)"]["unchanged"] == 18
        client = Client.objects.first()
        client.pk = None
        client.id_number = "0012345679"
        client.welfare_file_number = "NEW-1"
        client.current_enrolment = None
        client.save()
        assert client.pk > largest
