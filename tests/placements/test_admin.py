"""The admin shows placements' records, and keeps what the services keep true read-only."""

import pytest
from django.urls import reverse

from tests.factories import OpeningFactory, PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login):
    return login(UserFactory(username="root", is_superuser=True, is_staff=True))


@pytest.mark.parametrize("model", ["employer", "opening", "placement", "followup", "reminder"])
def test_every_placements_list_opens_in_the_admin(admin_client, model):
    PlacementFactory()
    OpeningFactory()
    assert admin_client.get(reverse(f"admin:placements_{model}_changelist")).status_code == 200


def test_a_follow_ups_status_and_record_cannot_be_edited_in_the_admin(admin_client):
    placement = PlacementFactory()
    follow_up = placement.follow_ups.model._base_manager.filter(placement=placement).first()
    form = admin_client.get(
        reverse("admin:placements_followup_change", args=[follow_up.pk])
    ).content.decode()
    assert 'name="status"' not in form
    assert 'name="outcome"' not in form
    assert 'name="notes"' in form


def test_placements_are_not_added_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:placements_placement_add")).status_code == 403
