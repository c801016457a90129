"""Moving a client's file to another centre: asked by the receiving centre's staff, decided
by the sending centre's manager or the national office, or made by the national office on
its own. The journey goes on at the receiving centre from the step the client had reached."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from centres.models import Membership
from centres.scoping import scope_for
from clients import services as client_services
from clients.models import Enrolment, EnrolmentTransition, ExitReason, State
from dashboard.indicators import Filters, dashboard
from dashboard.periods import Period
from hami.errors import DomainError
from placements.models import FollowUp, FollowUpStatus, Placement
from tests.factories import (
    ClientFactory,
    CourseFactory,
    EnrolmentFactory,
    PlacementFactory,
    TransferFactory,
    make_member,
)
from transfers import services
from transfers.models import Status, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The refusals are matched by their English words."""
    with translation.override("en"):
        yield


@pytest.fixture
def receiving_staff(other_centre):
    return make_member(other_centre, username="staff.b")


def ask(client, *, by, to_centre):
    with scope_for(by):
        return services.request_transfer(
            id_type=client.id_type,
            id_number=client.id_number,
            to_centre=to_centre,
            by=by,
            reason="The client moved to this city.",
        )


def agree(transfer, *, by):
    with scope_for(by):
        return services.decide(transfer=transfer, by=by, agree=True, reason="Agreed.")


def enrolments_of(client):
    with scopes_disabled():
        return list(Enrolment.objects.filter(client=client).order_by("opened_at", "pk"))


def moved(client, *, manager, receiving_staff, other_centre):
    agree(ask(client, by=receiving_staff, to_centre=other_centre), by=manager)
    client.refresh_from_db()
    return enrolments_of(client)


# -- the journey goes on at the right step ---------------------------------------------------


@pytest.mark.parametrize(
    ("state", "goes_on_as"),
    [
        (State.INTAKE, State.INTAKE),
        (State.ASSESSED, State.ASSESSED),
        (State.NOT_READY, State.NOT_READY),
        (State.WAITING, State.ASSESSED),
        (State.TRAINING, State.ASSESSED),
        (State.TRAINED, State.TRAINED),
        (State.SEEKING_WORK, State.SEEKING_WORK),
        (State.SUSTAINED, State.INTAKE),
        (State.WITHDRAWN, State.INTAKE),
    ],
)
def test_the_journey_goes_on_at_the_receiving_centre_from_the_step_reached(
    centre, other_centre, manager, receiving_staff, state, goes_on_as
):
    before = EnrolmentFactory(client=ClientFactory(centre=centre), state=state)
    client = before.client
    was_open = before.is_open

    old, new = moved(
        client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre
    )

    assert client.centre == other_centre
    assert old.pk == before.pk and old.centre == centre
    assert new.centre == other_centre and new.state == goes_on_as and new.is_open
    # The client lists show the journey at the receiving centre.
    assert (client.current_enrolment_id, client.current_state) == (new.pk, goes_on_as)
    if was_open:
        assert (old.state, old.exit_reason) == (State.WITHDRAWN, ExitReason.TRANSFERRED)
    else:
        assert old.state == state  # a closed journey stays as it ended
    with scopes_disabled():
        steps = list(EnrolmentTransition.objects.filter(enrolment__client=client))
    assert [s.action for s in steps][-1] == "transfer_in"
    assert ("transfer_out" in [s.action for s in steps]) == was_open


def test_a_trained_client_stays_trained_with_their_course_record(
    centre, other_centre, manager, receiving_staff
):
    before = EnrolmentFactory(
        client=ClientFactory(centre=centre), state=State.TRAINED, certificate_number="123"
    )
    _, new = moved(
        before.client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre
    )
    assert new.state == State.TRAINED
    assert new.course == before.course
    assert new.training_finished_on == before.training_finished_on
    assert (new.attendance_percent, new.certificate_number) == (90, "123")


def test_a_parked_client_keeps_their_review_date(centre, other_centre, manager, receiving_staff):
    review_on = timezone.localdate() + timedelta(days=45)
    before = EnrolmentFactory(
        client=ClientFactory(centre=centre), state=State.NOT_READY, review_on=review_on
    )
    _, new = moved(
        before.client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre
    )
    assert (new.state, new.review_on) == (State.NOT_READY, review_on)


def test_a_client_with_no_enrolment_starts_at_intake(
    centre, other_centre, manager, receiving_staff
):
    client = ClientFactory(centre=centre)
    (new,) = moved(
        client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre
    )
    assert (new.centre, new.state) == (other_centre, State.INTAKE)


# -- seats and the waiting list ---------------------------------------------------------------


@pytest.fixture
def full_centre(centre):
    """Room for one trainee, who is training; two clients wait, the first one longest."""
    centre.training_capacity = 1
    centre.save()
    course = CourseFactory(centre=centre)
    trainee = EnrolmentFactory(
        client=ClientFactory(centre=centre), state=State.TRAINING, course=course
    )
    now = timezone.now()
    first = EnrolmentFactory(
        client=ClientFactory(centre=centre),
        state=State.WAITING,
        course=course,
        waiting_since=now - timedelta(days=2),
    )
    second = EnrolmentFactory(
        client=ClientFactory(centre=centre),
        state=State.WAITING,
        course=course,
        waiting_since=now - timedelta(days=1),
    )
    return trainee, first, second


def test_a_waiting_client_leaves_the_line_and_the_next_moves_up(
    full_centre, other_centre, manager, receiving_staff
):
    _, first, second = full_centre
    with scopes_disabled():
        assert client_services.waiting_position(second) == 2
    moved(first.client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre)
    second.refresh_from_db()
    with scopes_disabled():
        assert client_services.waiting_position(second) == 1
        assert list(Enrolment.objects.waiting_list(second.centre)) == [second]


def test_a_trainee_frees_their_seat_for_the_first_in_line(
    full_centre, other_centre, manager, receiving_staff
):
    trainee, first, second = full_centre
    moved(
        trainee.client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.seat_offered_at is not None
    assert second.seat_offered_at is None


def test_a_client_with_a_seat_on_offer_passes_it_to_the_next(
    full_centre, other_centre, manager, receiving_staff
):
    trainee, first, second = full_centre
    with scope_for(manager):
        client_services.withdraw(enrolment=trainee, by=manager, reason="Moved abroad.")
    first.refresh_from_db()
    assert first.seat_offered_at is not None
    moved(first.client, manager=manager, receiving_staff=receiving_staff, other_centre=other_centre)
    second.refresh_from_db()
    assert second.seat_offered_at is not None


# -- a placed client keeps their job and its calls ----------------------------------------------


def test_a_placed_clients_follow_ups_move_to_the_new_centres_staff(
    centre, other_centre, manager, receiving_staff
):
    placement = PlacementFactory(
        enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED),
        starts_on=timezone.localdate() - timedelta(days=40),
    )
    with scopes_disabled():
        first_call = placement.follow_ups.order_by("months_after").first()
        FollowUp.objects.filter(pk=first_call.pk).update(
            status=FollowUpStatus.DONE,
            contacted_on=timezone.localdate(),
            outcome="same_job",
            recorded_at=timezone.now(),
            recorded_by=manager,
        )
    _, new = moved(
        placement.enrolment.client,
        manager=manager,
        receiving_staff=receiving_staff,
        other_centre=other_centre,
    )
    assert new.state == State.PLACED
    with scopes_disabled():
        placement = Placement.objects.get(pk=placement.pk)
        calls = list(placement.follow_ups.order_by("months_after"))
    assert (placement.enrolment, placement.centre, placement.ended_on) == (new, other_centre, None)
    # The call made stays with the centre that made it; the three to come are the new
    # centre's, assigned to the staff member who asked for the file.
    assert [(c.centre, c.status) for c in calls[:1]] == [(centre, FollowUpStatus.DONE)]
    assert {(c.centre, c.assigned_to) for c in calls[1:]} == {(other_centre, receiving_staff)}
    # They are the new centre's worklist now.
    with scope_for(receiving_staff):
        assert FollowUp.objects.open().filter(placement=placement).count() == 3


def test_the_national_office_moves_a_file_on_its_own_to_the_centres_manager(
    centre, other_centre, national
):
    receiving_manager = make_member(
        other_centre, role=Membership.Role.MANAGER, username="manager.b"
    )
    make_member(other_centre, username="aaa.staff.b")
    placement = PlacementFactory(
        enrolment=EnrolmentFactory(client=ClientFactory(centre=centre), state=State.PLACED)
    )
    client = placement.enrolment.client
    with scope_for(national):
        transfer = services.transfer_now(
            client=client, to_centre=other_centre, by=national, reason="Moved to Shiraz."
        )
    assert (transfer.status, transfer.decided_by) == (Status.AGREED, national)
    client.refresh_from_db()
    assert client.centre == other_centre
    with scopes_disabled():
        assert {f.assigned_to for f in placement.follow_ups.all()} == {receiving_manager}


# -- requests and decisions --------------------------------------------------------------------


def test_a_refused_request_moves_nothing(centre, other_centre, manager, receiving_staff):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    transfer = ask(enrolment.client, by=receiving_staff, to_centre=other_centre)
    with scope_for(manager):
        services.decide(transfer=transfer, by=manager, agree=False, reason="Still living here.")
    enrolment.refresh_from_db()
    enrolment.client.refresh_from_db()
    assert enrolment.client.centre == centre and enrolment.state == State.ASSESSED
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_reason) == (Status.REFUSED, "Still living here.")


def test_a_request_is_decided_once(centre, other_centre, manager, national, receiving_staff):
    client = ClientFactory(centre=centre)
    transfer = ask(client, by=receiving_staff, to_centre=other_centre)
    agree(transfer, by=manager)
    with pytest.raises(DomainError, match="already been decided"), scope_for(national):
        services.decide(transfer=transfer, by=national, agree=False, reason="No.")


def test_a_second_centre_asking_for_the_same_client_waits_for_the_first_decision(
    centre, other_centre, receiving_staff
):
    from tests.factories import CentreFactory

    third = CentreFactory(code="CCC-01")
    third_staff = make_member(third, username="staff.c")
    client = ClientFactory(centre=centre)
    ask(client, by=receiving_staff, to_centre=other_centre)
    with pytest.raises(DomainError, match="already waiting for a decision"):
        ask(client, by=third_staff, to_centre=third)
    with scopes_disabled():
        assert Transfer.objects.count() == 1


def test_a_client_of_ones_own_centre_cannot_be_asked_for(centre, staff):
    client = ClientFactory(centre=centre)
    with pytest.raises(DomainError, match="already registered at your centre"):
        ask(client, by=staff, to_centre=centre)


def test_withdrawing_cannot_pretend_to_be_a_transfer(centre, staff):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    with pytest.raises(DomainError), scope_for(staff):
        client_services.withdraw(
            enrolment=enrolment, by=staff, reason="x", exit_reason=ExitReason.TRANSFERRED
        )


# -- the dashboard counts each enrolment where it happened ---------------------------------------


def test_a_transferred_client_is_one_entrant_of_the_network_and_never_a_drop_out(
    centre, other_centre, manager, receiving_staff, national
):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.TRAINED)
    moved(
        enrolment.client,
        manager=manager,
        receiving_staff=receiving_staff,
        other_centre=other_centre,
    )
    today = timezone.localdate()
    with scope_for(national):
        board = dashboard(Filters(period=Period(), on=today), with_credit_lines=False)
    rows = {row.key: row.n for row in board.centres}
    # The sending centre counts the file apart, as a transfer out; the receiving centre
    # counts the client as its entrant, trained.
    assert (rows[centre.pk]["entrants"], rows[centre.pk]["excluded_transferred"]) == (0, 1)
    assert rows[centre.pk]["withdrawn"] == 0
    assert (rows[other_centre.pk]["entrants"], rows[other_centre.pk]["trained"]) == (1, 1)
    assert (board.total.n["entrants"], board.total.n["withdrawn"], board.total.n["people"]) == (
        1,
        0,
        1,
    )


# -- pages -------------------------------------------------------------------------------------


def test_the_duplicate_message_leads_to_the_request_and_shows_nothing_of_the_file(
    login, centre, other_centre, receiving_staff
):
    client = ClientFactory(centre=centre, first_name="نرگس")
    page = login(receiving_staff).post(
        reverse("clients:create"), {"id_type": "national_code", "id_number": client.id_number}
    )
    assert page.status_code == 200
    request_url = (
        reverse("transfers:request") + f"?id_type=national_code&amp;id_number={client.id_number}"
    )
    assert request_url in page.content.decode()
    form = login(receiving_staff).get(request_url.replace("&amp;", "&"))
    html = form.content.decode()
    assert client.id_number in html
    assert "نرگس" not in html and client.last_name not in html and centre.name not in html


def test_the_receiving_centre_sees_the_file_only_once_it_moved(
    login, centre, other_centre, manager, receiving_staff
):
    enrolment = EnrolmentFactory(client=ClientFactory(centre=centre), state=State.ASSESSED)
    client = enrolment.client
    browser = login(receiving_staff)
    assert browser.get(reverse("clients:detail", args=[client.pk])).status_code == 404
    response = browser.post(
        reverse("transfers:request"),
        {"id_type": "national_code", "id_number": client.id_number, "reason": "Moved here."},
    )
    assert response.status_code == 302
    assert browser.get(reverse("clients:detail", args=[client.pk])).status_code == 404
    assert browser.get(reverse("transfers:list")).status_code == 403

    with scopes_disabled():
        transfer = Transfer.objects.get()
    decision = login(manager).post(
        reverse("transfers:decide", args=[transfer.pk]),
        {"decision": "agree", "reason": "Agreed."},
    )
    assert decision.status_code == 302

    page = login(receiving_staff).get(reverse("clients:detail", args=[client.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # The whole history, the sending centre's steps included, and the move.
    assert centre.name in html and other_centre.name in html
    assert "transfer" in html.lower() or "انتقال" in html
    # And the sending centre no longer sees the file.
    assert login(manager).get(reverse("clients:detail", args=[client.pk])).status_code == 404


def test_the_sending_centres_manager_lists_and_decides_its_requests(
    login, centre, other_centre, manager, receiving_staff
):
    transfer = TransferFactory(client=ClientFactory(centre=centre), to_centre=other_centre)
    page = login(manager).get(reverse("transfers:list"))
    assert transfer.client.last_name in page.content.decode()
    other = TransferFactory(client=ClientFactory(centre=other_centre), to_centre=centre)
    assert other.client.last_name not in page.content.decode()
    assert login(manager).get(reverse("transfers:decide", args=[other.pk])).status_code == 404
