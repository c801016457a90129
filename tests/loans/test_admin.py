"""Reference data is kept in the admin; the loans themselves can only be read there."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from loans.models import LoanApplication, LoanProduct, State

from ..factories import CreditLineFactory, LoanApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login):
    return login(UserFactory(username="root", is_superuser=True, is_staff=True))


def test_the_credit_line_list_shows_each_lines_ledger(admin_client):
    line = CreditLineFactory(reference="CL-ADMIN", total_amount=500_000_000)
    LoanApplicationFactory(state=State.APPROVED, credit_line=line, approved_amount=100_000_000)
    page = admin_client.get(reverse("admin:loans_creditline_changelist")).content.decode()
    assert "CL-ADMIN" in page
    assert "۴۰٬۰۰۰٬۰۰۰ تومان" in page  # available: 500M − 100M rials


def test_a_product_is_added_in_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:loans_loanproduct_add"),
        {
            "name": "قرض‌الحسنه مشاغل خانگی",
            "annual_rate": "0.04",
            "min_amount": "10000000",
            "max_amount": "300000000",
            "max_term_months": "36",
            "grace_months": "3",
            "amortisation": "equal_principal",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert LoanProduct.objects.filter(name="قرض‌الحسنه مشاغل خانگی").exists()


def test_a_product_whose_minimum_exceeds_its_maximum_is_refused(admin_client):
    admin_client.post(
        reverse("admin:loans_loanproduct_add"),
        {
            "name": "وارونه",
            "annual_rate": "0.04",
            "min_amount": "300000000",
            "max_amount": "10000000",
            "max_term_months": "36",
            "grace_months": "0",
            "amortisation": "annuity",
        },
    )
    assert not LoanProduct.objects.filter(name="وارونه").exists()


def test_an_application_cannot_be_changed_in_the_admin(admin_client):
    application = LoanApplicationFactory(state=State.RECOMMENDED)
    url = reverse("admin:loans_loanapplication_change", args=[application.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="state"' not in page
    admin_client.post(url, {"state": State.APPROVED, "amount": "1"})
    with scopes_disabled():
        assert LoanApplication.objects.get(pk=application.pk).state == State.RECOMMENDED
