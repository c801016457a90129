"""Approval clicked many times at once makes one centre: ten national-office requests
approve the same application at the same moment, each in its own thread and database
connection. The application's row lock (PostgreSQL) lets one through; the others find it
decided and change nothing."""

import threading
from datetime import date

import pytest
from django.db import connections
from django_scopes import scopes_disabled

from centres import applications
from centres.models import ApplicationEvent, Centre, CentreApplication, ManagerInvitation
from centres.scoping import scope_for
from hami.errors import DomainError
from tests.factories import CentreApplicationFactory

REQUESTS = 10

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_ten_simultaneous_approvals_make_exactly_one_centre(national):
    application = CentreApplicationFactory(
        state="under_review",
        licence_checked=True,
        lease_checked=True,
        certificates_checked=True,
        premises_suitable=True,
        site_visit_on=date(2025, 1, 5),
    )
    start_together = threading.Barrier(REQUESTS, timeout=30)
    approved, refused, errors = [], [], []

    def approve(n):
        try:
            start_together.wait()
            with scope_for(national):
                try:
                    applications.approve(
                        application=application,
                        by=national,
                        centre_name=f"مرکز امید {n}",
                        opens_on=date.today(),
                        reason="کامل است",
                    )
                except DomainError:
                    refused.append(n)
                else:
                    approved.append(n)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert len(approved) == 1
    assert len(refused) == REQUESTS - 1
    with scopes_disabled():
        application = CentreApplication.objects.get(pk=application.pk)
        assert Centre.objects.filter(application=application).count() == 1
        assert application.centre.name == f"مرکز امید {approved[0]}"
        assert ManagerInvitation.objects.filter(centre=application.centre).count() == 1
        assert (
            ApplicationEvent.objects.filter(application=application, action="approve").count() == 1
        )
