"""Two sweeps at the same moment (beat's run and a manual `sweep_follow_ups`, or a task
redelivered while the first still runs) send every message once: the reminders' unique
constraint lets one run write each row, and SKIP LOCKED lets one run send it (PostgreSQL).
"""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sms
from django.core import mail
from django.db import connections
from django_scopes import scopes_disabled

from centres.models import Membership
from centres.scoping import all_centres_scope
from clients.models import Enrolment, State
from hami.jalali import from_jalali
from placements.models import FollowUpStatus, Reminder, ReminderStatus
from placements.sweep import sweep_follow_ups
from tests.factories import (
    CentreFactory,
    ClientFactory,
    EmployerFactory,
    EnrolmentFactory,
    PlacementFactory,
    make_member,
)

SWEEPS = 4
TEHRAN = ZoneInfo("Asia/Tehran")
START = from_jalali(1403, 1, 15)
DAY = from_jalali(1403, 4, 12)  # the 3-month call (1403/04/15) is three days away

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def a_placement(centre, n):
    enrolment = EnrolmentFactory(
        client=ClientFactory(centre=centre, mobile=f"0912000{n:04d}"), state=State.PLACED
    )
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=datetime(2024, 1, 1, tzinfo=TEHRAN)
        )
    placement = PlacementFactory(
        enrolment=enrolment, starts_on=START, employer=EmployerFactory(centre=centre)
    )
    with scopes_disabled():
        placement.follow_ups.update(status=FollowUpStatus.SCHEDULED)


def test_sweeps_at_the_same_moment_send_each_message_once():
    for code in ("CON-01", "CON-02"):
        centre = CentreFactory(code=code)
        make_member(centre, username=f"staff.{code}", email=f"staff.{code}@example.org")
        make_member(
            centre,
            role=Membership.Role.MANAGER,
            username=f"manager.{code}",
            email=f"manager.{code}@example.org",
        )
        for n in range(3):
            a_placement(centre, n + (10 if code == "CON-02" else 0))
    # Each centre: 2 digests and 1 escalation (its 1-month calls are long overdue);
    # each client: 1 text message for the call three days away.
    expected_mail, expected_sms = 2 * (2 + 1), 6

    start_together = threading.Barrier(SWEEPS, timeout=30)
    errors = []

    def sweep():
        try:
            start_together.wait()
            with all_centres_scope():
                sweep_follow_ups(on=DAY, at=datetime(2024, 7, 2, 7, tzinfo=TEHRAN))
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(SWEEPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert len(mail.outbox) == expected_mail
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == expected_mail
    assert len(sms.outbox) == expected_sms
    with scopes_disabled():
        assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == (
            expected_mail + expected_sms
        )
    # And the day after, a run alone sends only the next day's digests and escalations.
    with all_centres_scope():
        sweep_follow_ups(on=DAY + timedelta(days=1), at=datetime(2024, 7, 3, 7, tzinfo=TEHRAN))
    assert len(mail.outbox) == 2 * expected_mail
    assert len(sms.outbox) == expected_sms
