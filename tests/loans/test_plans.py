"""Business plans: their own rules, their history, and the freeze once submitted."""

import pytest
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from hami.errors import DomainError
from loans import services
from loans.models import BusinessPlan, CostItem, State
from loans.services import CostLine

from ..factories import BusinessPlanFactory, ClientFactory, LoanApplicationFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "نان‌پزی خانگی",
    "activity": "پخت نان محلی برای فروش در محله",
    "premises": "home_based",
    "own_contribution": 5_000_000,
    "monthly_revenue": 12_000_000,
    "monthly_costs": 7_000_000,
    "jobs_created": 1,
}
OVEN = CostLine("equipment", "فر گازی", 1, 40_000_000)
FLOUR = CostLine("raw_materials", "آرد", 20, 500_000)


def test_a_plan_is_written_with_its_cost_items(centre, staff):
    client = ClientFactory(centre=centre)
    with scope_for(staff):
        plan = services.save_plan(client=client, by=staff, items=[OVEN, FLOUR], **FIELDS)
    with scopes_disabled():
        assert BusinessPlan.objects.get(pk=plan.pk).total_cost == 50_000_000
        assert CostItem.objects.filter(plan=plan).count() == 2


@pytest.mark.parametrize(
    ("items", "own", "message"),
    [
        ([], 0, "at least one cost item"),
        ([CostLine("equipment", "فر", 1, 0)], 0, "above zero"),
        ([CostLine("equipment", "فر", 0, 1_000_000)], 0, "above zero"),
        ([CostLine("equipment", "فر", 1, -5)], 0, "above zero"),
        ([OVEN], 40_000_001, "larger than the plan"),
    ],
)
def test_a_plan_that_cannot_be_is_refused_and_nothing_saved(centre, staff, items, own, message):
    client = ClientFactory(centre=centre)
    with scope_for(staff), pytest.raises(DomainError, match=message):
        services.save_plan(
            client=client, by=staff, items=items, **{**FIELDS, "own_contribution": own}
        )
    with scopes_disabled():
        assert not BusinessPlan.objects.filter(client=client).exists()
        assert not CostItem.objects.exists()


def test_edits_are_kept_in_the_history(centre, staff):
    client = ClientFactory(centre=centre)
    with scope_for(staff):
        plan = services.save_plan(client=client, by=staff, items=[OVEN], **FIELDS)
        services.save_plan(
            client=client,
            by=staff,
            plan=plan,
            items=[OVEN, FLOUR],
            **{**FIELDS, "title": "نانوایی"},
        )
    with scopes_disabled():
        titles = list(plan.history.order_by("history_date").values_list("title", flat=True))
        assert titles == ["نان‌پزی خانگی", "نانوایی"]
        assert {h.history_user for h in plan.history.all()} == {staff}
        item_changes = CostItem.history.filter(plan_id=plan.pk).values_list(
            "description", "history_type"
        )
        assert sorted(item_changes) == sorted(
            [("فر گازی", "+"), ("فر گازی", "-"), ("فر گازی", "+"), ("آرد", "+")]
        )


def test_a_submitted_plan_is_read_only(centre, staff):
    plan = BusinessPlanFactory(client=ClientFactory(centre=centre))
    LoanApplicationFactory(plan=plan, state=State.SUBMITTED)
    with scope_for(staff), pytest.raises(DomainError, match="can no longer change"):
        services.save_plan(client=plan.client, by=staff, plan=plan, items=[OVEN], **FIELDS)
    plan.refresh_from_db()
    assert plan.title == "کارگاه خیاطی خانگی"


def test_a_draft_plan_may_still_change(centre, staff):
    plan = BusinessPlanFactory(client=ClientFactory(centre=centre))
    LoanApplicationFactory(plan=plan, state=State.DRAFT)
    with scope_for(staff):
        services.save_plan(client=plan.client, by=staff, plan=plan, items=[OVEN], **FIELDS)
    plan.refresh_from_db()
    assert plan.title == "نان‌پزی خانگی"
