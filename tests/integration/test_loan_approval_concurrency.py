"""A credit line is never over-committed: twenty national-office requests approve a
10,000,000-rial loan each, at the same moment, against a line with 100,000,000 available,
each request in its own thread and database connection. The line's row lock (PostgreSQL)
lets them count what is available one at a time: exactly ten are approved."""

import threading

import pytest
from django.db import connections
from django_scopes import scopes_disabled

from centres.scoping import scope_for
from hami.errors import DomainError
from loans import selectors, services
from loans.models import LoanApplication, LoanTransition, State
from tests.factories import (
    BusinessPlanFactory,
    ClientFactory,
    CreditLineFactory,
    LoanApplicationFactory,
)

REQUESTS = 20
AMOUNT = 10_000_000

pytestmark = [
    pytest.mark.postgres,
    # Real threads need committed rows (see tests/conftest.py on reference data).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_twenty_approvals_against_a_line_for_ten_approve_exactly_ten(centre, national):
    line = CreditLineFactory(total_amount=100_000_000)
    applications = [
        LoanApplicationFactory(
            plan=BusinessPlanFactory(client=ClientFactory(centre=centre)),
            state=State.RECOMMENDED,
            amount=AMOUNT,
            requested_amount=AMOUNT,
            recommended_amount=AMOUNT,
            sized_amount=AMOUNT,
        )
        for _ in range(REQUESTS)
    ]
    start_together = threading.Barrier(REQUESTS, timeout=30)
    approved, refused, errors, seen_available = [], [], [], []

    def approve(application):
        try:
            start_together.wait()
            with scope_for(national):  # each thread is a request of the national office
                try:
                    services.approve(application=application, by=national, credit_line=line)
                except DomainError:
                    refused.append(application.pk)
                else:
                    approved.append(application.pk)
                seen_available.append(selectors.credit_line_ledger(line).available)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(approved) == 10
    assert len(refused) == REQUESTS - 10
    assert min(seen_available) >= 0
    with scopes_disabled():
        assert selectors.credit_line_ledger(line).available == 0
        assert set(
            LoanApplication.objects.filter(state=State.APPROVED, credit_line=line).values_list(
                "pk", flat=True
            )
        ) == set(approved)
        assert set(
            LoanApplication.objects.filter(state=State.RECOMMENDED).values_list("pk", flat=True)
        ) == set(refused)
        # A refused approval logged nothing.
        assert LoanTransition.objects.filter(action="approve").count() == 10
