"""The loan pages as people use them: the plan form with its cost items, the running
total, the sizing, the buttons a user sees, the exports."""

from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from loans.models import BusinessPlan, CostItem, State

from ..factories import (
    BusinessPlanFactory,
    ClientFactory,
    LoanApplicationFactory,
    LoanProductFactory,
    make_disbursed_loan,
)

pytestmark = pytest.mark.django_db

PLAN = {
    "title": "کارگاه خیاطی",
    "activity": "دوخت لباس",
    "premises": "home_based",
    "own_contribution": "3,000,000",  # tomans
    "monthly_revenue": "2,500,000",
    "monthly_costs": "1,500,000",
    "jobs_created": "2",
    "items-TOTAL_FORMS": "3",
    "items-INITIAL_FORMS": "0",
    "items-MIN_NUM_FORMS": "0",
    "items-MAX_NUM_FORMS": "50",
    "items-0-category": "equipment",
    "items-0-description": "چرخ خیاطی",
    "items-0-quantity": "۲",
    "items-0-unit_cost": "۵٬۰۰۰٬۰۰۰",
    "items-1-category": "raw_materials",
    "items-1-description": "پارچه",
    "items-1-quantity": "10",
    "items-1-unit_cost": "400,000",
    "items-2-category": "working_capital",
    "items-2-description": "سرمایه در گردش",
    "items-2-quantity": "1",
    "items-2-unit_cost": "1000000",
}


def test_staff_write_a_plan_with_three_cost_items(login, staff, centre):
    client = ClientFactory(centre=centre)
    response = login(staff).post(reverse("loans:plan_create", args=[client.pk]), PLAN)
    assert response.status_code == 302
    with scopes_disabled():
        plan = BusinessPlan.objects.get(client=client)
        assert plan.total_cost == 150_000_000  # rials: 15,000,000 tomans
        assert plan.own_contribution == 30_000_000
        assert CostItem.objects.filter(plan=plan).count() == 3


def test_a_cost_item_of_zero_is_refused_with_a_message(login, staff, centre):
    client = ClientFactory(centre=centre)
    response = login(staff).post(
        reverse("loans:plan_create", args=[client.pk]), {**PLAN, "items-1-unit_cost": "0"}
    )
    assert response.status_code == 200
    assert "بهایی بیش از صفر." in response.content.decode()
    with scopes_disabled():
        assert not BusinessPlan.objects.filter(client=client).exists()


def test_an_own_contribution_larger_than_the_plan_is_refused(login, staff, centre):
    client = ClientFactory(centre=centre)
    response = login(staff).post(
        reverse("loans:plan_create", args=[client.pk]), {**PLAN, "own_contribution": "16,000,000"}
    )
    assert response.status_code == 200
    assert "آورده متقاضی" in response.content.decode()
    with scopes_disabled():
        assert not BusinessPlan.objects.filter(client=client).exists()


def test_the_running_total_reads_the_rows_as_typed(login, staff):
    response = login(staff).post(reverse("loans:plan_total"), PLAN)
    assert "۱۵٬۰۰۰٬۰۰۰ تومان" in response.content.decode()


def test_a_new_row_comes_with_the_next_index_and_count(login, staff):
    response = login(staff).get(reverse("loans:cost_row"), {"items-TOTAL_FORMS": "3"})
    html = response.content.decode()
    assert 'name="items-3-description"' in html
    assert 'name="items-TOTAL_FORMS" value="4"' in html
    assert 'hx-swap-oob="true"' in html


def test_the_plan_page_shows_each_limit_and_which_binds(login, staff, centre):
    plan = BusinessPlanFactory(client=ClientFactory(centre=centre))
    LoanProductFactory(name="قرض‌الحسنه اشتغال")
    html = login(staff).get(reverse("loans:plan", args=[plan.pk])).content.decode()
    assert "هزینه طرح منهای آورده متقاضی" in html
    assert "۱۲٬۰۰۰٬۰۰۰ تومان" in html  # need: 150M − 30M rials
    assert "۱۸٬۰۰۰٬۰۰۰ تومان" in html  # affordability: 5M a month × 36 months
    assert "تعیین‌کننده" in html  # "binds", next to the need


def test_a_plan_that_cannot_be_funded_says_why(login, staff, centre):
    plan = BusinessPlanFactory(
        client=ClientFactory(centre=centre), monthly_revenue=1_000_000, monthly_costs=2_000_000
    )
    LoanProductFactory(name="قرض‌الحسنه اشتغال")
    html = login(staff).get(reverse("loans:plan", args=[plan.pk])).content.decode()
    assert "این طرح با این نوع تسهیلات تأمین مالی نمی‌شود." in html
    assert "سود ماهانه‌ای پیش‌بینی نمی‌کند" in html


@pytest.mark.parametrize(
    ("state", "who", "shown", "hidden"),
    [
        (State.DRAFT, "staff", ["/submit/", "/withdraw/"], ["/recommend/", "/approve/"]),
        (State.SUBMITTED, "staff", ["/withdraw/"], ["/recommend/", "/submit/"]),
        (State.SUBMITTED, "manager", ["/recommend/", "/withdraw/"], ["/approve/"]),
        (State.RECOMMENDED, "national", ["/approve/", "/reject/"], ["/withdraw/", "/disburse/"]),
        (State.RECOMMENDED, "manager", ["/withdraw/"], ["/approve/", "/reject/"]),
        (State.APPROVED, "national", ["/disburse/"], ["/approve/", "/withdraw/"]),
    ],
)
def test_the_loan_page_shows_the_allowed_actions_only(
    login, staff, manager, national, centre, state, who, shown, hidden
):
    user = {"staff": staff, "manager": manager, "national": national}[who]
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)), state=state
    )
    html = login(user).get(reverse("loans:detail", args=[application.pk])).content.decode()
    base = f"/loans/{application.pk}"
    for path in shown:
        assert f'"{base}{path}"' in html, path
    for path in hidden:
        assert f'"{base}{path}"' not in html, path


def test_the_approver_sees_no_disbursement_button(login, national, centre):
    application = LoanApplicationFactory(
        plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
        state=State.APPROVED,
        approved_by=national,
    )
    html = login(national).get(reverse("loans:detail", args=[application.pk])).content.decode()
    assert f"/loans/{application.pk}/disburse/" not in html


def test_the_loan_page_shows_the_jalali_schedule_and_the_position(login, staff, centre):
    from datetime import date

    loan = make_disbursed_loan(centre, disbursed_on=date(2024, 3, 20))
    html = login(staff).get(reverse("loans:detail", args=[loan.pk])).content.decode()
    assert "۱۴۰۳/۰۲/۰۱" in html  # the first installment, one Jalali month on
    assert "مانده بدهی" in html and "روز تأخیر" in html


def test_the_schedule_and_the_list_export_to_excel(login, staff, centre):
    loan = make_disbursed_loan(centre)
    client = login(staff)
    schedule = openpyxl.load_workbook(
        BytesIO(client.get(reverse("loans:schedule_export", args=[loan.pk])).content)
    ).active
    assert schedule.max_row == 21  # the heading and 20 installments
    assert [cell.value for cell in schedule[2]][3:6] == [5_000_000, 0, 5_000_000]
    listing = openpyxl.load_workbook(BytesIO(client.get(reverse("loans:export")).content)).active
    assert listing.max_row == 2
    assert listing.cell(2, 7).value == 100_000_000


def test_the_list_filters_by_status_and_amount_band(login, staff, centre):
    def application(state, amount):
        return LoanApplicationFactory(
            plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
            state=state,
            amount=amount,
        )

    draft_small = application(State.DRAFT, 50_000_000)
    application(State.DRAFT, 300_000_000)
    application(State.SUBMITTED, 60_000_000)
    response = login(staff).get(reverse("loans:list"), {"state": "draft", "amount_band": "small"})
    assert list(response.context["page"].object_list) == [draft_small]


def test_the_arrears_page_shows_par_and_the_case_workers_tasks(login, staff, centre):
    from django.utils import timezone

    from loans.models import ArrearsFollowUp

    loan = make_disbursed_loan(centre)
    with scopes_disabled():
        task = ArrearsFollowUp.objects.create(
            loan=loan, assigned_to=staff, opened_on=timezone.localdate(), days_past_due=40
        )
    client = login(staff)
    html = client.get(reverse("loans:arrears")).content.decode()
    assert "PAR30" in html and "۱۰٬۰۰۰٬۰۰۰ تومان" in html  # the outstanding principal
    assert f"/loans/arrears/{task.pk}/close/" in html
    response = client.post(
        reverse("loans:follow_up_close", args=[task.pk]), {"outcome": "تماس تلفنی؛ قسط هفته بعد"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.closed_by, task.outcome) == (staff, "تماس تلفنی؛ قسط هفته بعد")


def test_the_client_page_shows_the_plan_the_loan_steps_and_the_repayments(login, staff, centre):
    from django.utils import timezone

    from centres.scoping import scope_for
    from loans import services

    loan = make_disbursed_loan(centre)
    with scope_for(staff):
        services.record_repayment(
            loan=loan, by=staff, paid_on=timezone.localdate(), amount=5_000_000
        )
    html = login(staff).get(reverse("clients:detail", args=[loan.client_id])).content.decode()
    assert "طرح کسب‌وکار نوشته شد" in html
    assert "وام: پرداخت‌شده" in html  # the disbursement step (the label of "disburse")
    assert "بازپرداخت وام" in html and "۵۰۰٬۰۰۰ تومان" in html
    assert f"/loans/clients/{loan.client_id}/plan/" in html  # "Write a business plan"


def test_the_national_office_sees_the_loans_but_no_plan_button(login, national, centre):
    loan = make_disbursed_loan(centre)
    html = login(national).get(reverse("clients:detail", args=[loan.client_id])).content.decode()
    assert "طرح‌های کسب‌وکار و وام‌ها" in html
    assert f"/loans/clients/{loan.client_id}/plan/" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_whatever_its_length(
    login, national, centre, count, django_assert_num_queries
):
    for _ in range(count):
        LoanApplicationFactory(plan=BusinessPlanFactory(client=ClientFactory(centre=centre)))
    client = login(national)
    client.get(reverse("loans:list"))  # the session and the user's principal, once
    with django_assert_num_queries(QUERIES_FOR_THE_LIST):
        client.get(reverse("loans:list"))


def test_the_loan_page_takes_the_same_queries_whatever_the_schedule(login, staff, centre):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for term in (12, 36):
        loan = make_disbursed_loan(
            centre, amount=60_000_000, term_months=term, product=LoanProductFactory(name=f"p{term}")
        )
        client = login(staff)
        client.get(reverse("loans:detail", args=[loan.pk]))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("loans:detail", args=[loan.pk]))
        counts.append(len(queries))
    assert counts[0] == counts[1]


QUERIES_FOR_THE_LIST = 8
