"""The daily follow-up sweep: statuses moved on a fixed day, one digest e-mail a day to
each staff member in their language, escalations to the manager, text messages to clients
before their call, and nothing sent twice, whatever runs twice or dies halfway."""

import smtplib
from datetime import datetime, timedelta
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import sms
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from centres.models import Membership
from centres.scoping import all_centres_scope
from clients.models import Enrolment, State
from hami.jalali import format_jalali, from_jalali
from placements.models import FollowUp, FollowUpStatus, Reminder, ReminderKind, ReminderStatus
from placements.sweep import sweep_follow_ups
from tests.factories import (
    ClientFactory,
    EmployerFactory,
    EnrolmentFactory,
    PlacementFactory,
    make_member,
)

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
START = from_jalali(1403, 1, 15)  # 2024-04-03
# Due on 1403/02/15, 1403/04/15, 1403/07/15 and 1404/01/15 (1, 3, 6 and 12 months).
DUE_1 = from_jalali(1403, 2, 15)  # 2024-05-04
DUE_3 = from_jalali(1403, 4, 15)  # 2024-07-05


def morning(day):
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=TEHRAN)


def sweep(day):
    with all_centres_scope():
        return sweep_follow_ups(on=day, at=morning(day))


def statuses(placement):
    with scopes_disabled():
        return dict(placement.follow_ups.values_list("months_after", "status"))


def placed(centre, *, start=START, mobile="09121234567", **client):
    enrolment = EnrolmentFactory(
        client=ClientFactory(centre=centre, mobile=mobile, **client), state=State.PLACED
    )
    with scopes_disabled():
        Enrolment.objects.filter(pk=enrolment.pk).update(
            opened_at=morning(start) - timedelta(days=90)
        )
    placement = PlacementFactory(
        enrolment=enrolment, starts_on=start, employer=EmployerFactory(centre=centre)
    )
    with scopes_disabled():  # as they were the day it was saved, before any sweep
        placement.follow_ups.update(status=FollowUpStatus.SCHEDULED)
    return placement


@pytest.fixture
def team(centre):
    """A centre's staff member (Persian e-mails), its manager (English e-mails) and a
    colleague without an e-mail address."""
    staff = make_member(centre, username="staff.mail", email="staff@example.org")
    manager = make_member(
        centre, role=Membership.Role.MANAGER, username="manager.mail", email="boss@example.org"
    )
    Membership.objects.filter(user=manager).update(language="en")
    make_member(centre, username="staff.nomail", email="")
    return staff, manager


# -- statuses ------------------------------------------------------------------------------


def test_statuses_after_the_sweep_on_a_fixed_day(centre):
    placement = placed(centre)
    day = DUE_3 - timedelta(days=5)  # 1403/04/10

    run = sweep(day)

    # The 1-month call (due 1403/02/15) is long past its window; the 3-month one's window
    # opened two days ago; the 6- and 12-month ones are months away.
    assert statuses(placement) == {
        1: FollowUpStatus.MISSED,
        3: FollowUpStatus.DUE,
        6: FollowUpStatus.SCHEDULED,
        12: FollowUpStatus.SCHEDULED,
    }
    assert (run.missed, run.due) == (1, 1)


def test_a_window_opens_seven_days_before_and_closes_fourteen_after(centre):
    placement = placed(centre)
    sweep(DUE_3 - timedelta(days=8))
    assert statuses(placement)[3] == FollowUpStatus.SCHEDULED
    sweep(DUE_3 - timedelta(days=7))
    assert statuses(placement)[3] == FollowUpStatus.DUE
    sweep(DUE_3 + timedelta(days=14))
    assert statuses(placement)[3] == FollowUpStatus.DUE
    sweep(DUE_3 + timedelta(days=15))
    assert statuses(placement)[3] == FollowUpStatus.MISSED


def test_recorded_follow_ups_are_left_as_they_are(centre, staff):
    placement = placed(centre)
    with scopes_disabled():
        FollowUp.objects.filter(placement=placement, months_after=1).update(
            status=FollowUpStatus.DONE,
            contacted_on=START + timedelta(days=31),
            outcome="same_job",
            recorded_at=morning(START + timedelta(days=31)),
            recorded_by=staff,
        )
    sweep(DUE_3)
    assert statuses(placement)[1] == FollowUpStatus.DONE


def test_the_follow_ups_of_a_client_withdrawn_meanwhile_are_cancelled(centre):
    placement = placed(centre)
    with scopes_disabled():
        Enrolment.objects.filter(pk=placement.enrolment_id).update(
            state=State.WITHDRAWN, closed_at=morning(DUE_3)
        )
    run = sweep(DUE_3)
    assert set(statuses(placement).values()) == {FollowUpStatus.CANCELLED}
    assert run.cancelled == 4
    with scopes_disabled():
        assert all(f.cancel_reason for f in placement.follow_ups.all())


# -- digests and escalations -----------------------------------------------------------------


def test_each_staff_member_gets_one_digest_in_their_language(centre, team):
    placement = placed(centre, first_name="فاطمه")

    sweep(DUE_1)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["boss@example.org", "staff@example.org"]
    persian, english = by_address["staff@example.org"], by_address["boss@example.org"]
    # Persian: the day in the Jalali calendar with Persian digits.
    assert persian.subject == "حامی: پیگیری‌های امروز، ۱۴۰۳/۰۲/۱۵"
    assert english.subject == "Hami: follow-ups to call, 2024-05-04"
    for message in (persian, english):
        html, kind = message.alternatives[0]
        assert kind == "text/html"
        assert placement.enrolment.client.full_name in message.body
        assert placement.enrolment.client.full_name in html
        assert "/follow-ups/" in message.body
    assert "تماس" in persian.body and "To call now (1)" in english.body


def test_no_digest_for_a_centre_with_nothing_to_call(centre, team):
    placed(centre)
    sweep(START + timedelta(days=5))  # the first call is weeks away
    assert mail.outbox == []


def test_a_second_sweep_on_the_same_day_sends_nothing_more(centre, team):
    placed(centre)
    sweep(DUE_1)
    sent = len(mail.outbox), len(sms.outbox)
    assert sent[0] == 2

    run = sweep(DUE_1)

    assert (len(mail.outbox), len(sms.outbox)) == sent
    assert (run.digests, run.delivery.sent) == (0, 0)


def test_the_next_day_brings_the_next_digest(centre, team):
    placed(centre)
    sweep(DUE_1)
    sweep(DUE_1 + timedelta(days=1))
    assert len(mail.outbox) == 4


def test_long_overdue_follow_ups_are_escalated_to_the_manager_only(centre, team):
    placement = placed(centre)
    due_1 = from_jalali(1403, 2, 15)
    # 14 days of window, then more than 30 days overdue: 45 days after the due date.
    sweep(due_1 + timedelta(days=44))
    assert not [m for m in mail.outbox if "30" in m.subject or "۳۰" in m.subject]

    sweep(due_1 + timedelta(days=45))

    escalations = [m for m in mail.outbox if m.subject.startswith("Hami: 1 follow-ups overdue")]
    assert [m.to for m in escalations] == [["boss@example.org"]]
    assert placement.enrolment.client.full_name in escalations[0].body


def test_a_digest_left_unsent_by_a_dead_run_is_sent_by_the_next_without_duplicates(centre, team):
    placed(centre)
    real_send = mail.EmailMultiAlternatives.send
    calls = {"n": 0}

    def the_first_send_fails(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", the_first_send_fails):
        first = sweep(DUE_1)
    # The other digest and the client's text message went; one digest did not.
    assert (first.delivery.sent, first.delivery.failed) == (2, 1)
    with scopes_disabled():
        waiting = Reminder.objects.get(status=ReminderStatus.PENDING)
    assert waiting.attempts == 1 and "connection lost" in waiting.last_error

    second = sweep(DUE_1)

    assert (second.delivery.sent, second.delivery.failed) == (1, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.org", "staff@example.org"]


def test_a_reminder_that_keeps_failing_is_given_up_after_five_attempts(centre, team):
    placed(centre)
    boom = mock.patch.object(
        mail.EmailMultiAlternatives, "send", side_effect=smtplib.SMTPException("down")
    )
    with boom:
        for _ in range(6):
            sweep(DUE_1)
    with scopes_disabled():
        e_mails = Reminder.objects.filter(kind=ReminderKind.FOLLOW_UP_DIGEST)
        assert set(e_mails.values_list("status", "attempts")) == {(ReminderStatus.FAILED, 5)}


def test_yesterdays_unsent_digest_is_not_sent_today(centre, team):
    placed(centre)
    with mock.patch.object(
        mail.EmailMultiAlternatives, "send", side_effect=smtplib.SMTPException("down")
    ):
        sweep(DUE_1)
    sweep(DUE_1 + timedelta(days=1))
    # Today's two digests, not yesterday's as well.
    assert len(mail.outbox) == 2
    with scopes_disabled():
        assert Reminder.objects.filter(status=ReminderStatus.SKIPPED).count() == 2


# -- text messages to clients ------------------------------------------------------------------


def test_a_client_is_texted_three_days_before_the_call_once(centre):
    placed(centre, mobile="09351112233")
    sweep(DUE_3 - timedelta(days=4))
    assert sms.outbox == []

    sweep(DUE_3 - timedelta(days=3))
    sweep(DUE_3 - timedelta(days=3))
    sweep(DUE_3 - timedelta(days=2))

    assert [m.recipients for m in sms.outbox] == [["09351112233"]]
    # In Persian, with the call's Jalali date.
    assert "۱۴۰۳/۰۴/۱۵" in sms.outbox[0].body
    assert "تماس" in sms.outbox[0].body


def test_a_client_who_opted_out_is_never_texted(centre):
    placed(centre, sms_opt_out=True)
    placed(centre, mobile="")
    for days in (3, 2, 1, 0):
        sweep(DUE_3 - timedelta(days=days))
    assert sms.outbox == []


def test_a_client_who_opts_out_after_the_message_was_written_is_not_texted(centre):
    placement = placed(centre)
    with mock.patch("placements.sweep.deliver_pending"):
        sweep(DUE_3 - timedelta(days=3))  # written, not yet sent
    with scopes_disabled():
        placement.enrolment.client.__class__.objects.filter(
            pk=placement.enrolment.client_id
        ).update(sms_opt_out=True)
    sweep(DUE_3 - timedelta(days=3))
    assert sms.outbox == []
    with scopes_disabled():
        assert Reminder.objects.get().status == ReminderStatus.SKIPPED


def test_a_provider_error_is_retried_by_the_next_run(centre):
    placed(centre)
    with mock.patch(
        "sms.backends.locmem.SmsBackend.send_messages", side_effect=ConnectionError("provider")
    ):
        run = sweep(DUE_3 - timedelta(days=3))
    assert run.delivery.failed == 1 and sms.outbox == []
    sweep(DUE_3 - timedelta(days=3))
    assert len(sms.outbox) == 1


# -- the command ------------------------------------------------------------------------------


def test_the_command_sweeps_as_of_a_day(centre, team):
    placement = placed(centre)
    out = StringIO()
    call_command("sweep_follow_ups", "--date", DUE_1.isoformat(), stdout=out)
    assert statuses(placement)[1] == FollowUpStatus.DUE
    # Two digests and the client's text message.
    assert "due: 1" in out.getvalue() and "sent: 3" in out.getvalue()
    assert len(mail.outbox) == 2


def test_the_command_refuses_a_date_it_cannot_read(centre):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep_follow_ups", "--date", "1403/04/15")


def test_the_command_and_the_task_do_the_same_work(centre, team):
    """The task sets the statuses and writes the day's reminders, then hands them to the
    workers in batches (run inline here)."""
    from placements.tasks import send_reminders
    from placements.tasks import sweep_follow_ups as task

    placement = placed(centre)
    with mock.patch(
        "placements.tasks.send_reminders.delay",
        side_effect=lambda ids, on: send_reminders.run(ids, on),
    ) as handed:
        result = task.run(on=DUE_1.isoformat())
    assert statuses(placement)[1] == FollowUpStatus.DUE
    assert (result["due"], result["digests"], result["text_messages"]) == (1, 2, 1)
    assert handed.call_count == result["batches"] == 1
    assert len(mail.outbox) == 2 and len(sms.outbox) == 1


def test_the_beat_schedule_holds_the_sweep_at_seven_tehran_time(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["placements-sweep-follow-ups"]
    assert entry["task"] == "placements.tasks.sweep_follow_ups"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({7}, {0})
    assert str(app.conf.timezone) == "Asia/Tehran"
    # The next run after 06:59 Tehran time is the same day's 07:00 Tehran time.
    schedule.nowfun = lambda: datetime(2024, 7, 5, 6, 59, tzinfo=TEHRAN)
    remaining = schedule.remaining_estimate(datetime(2024, 7, 4, 7, 0, tzinfo=TEHRAN))
    assert timedelta(0) < remaining <= timedelta(minutes=1)


def test_placing_a_client_texts_them_once_the_placement_is_saved(
    centre, staff, django_capture_on_commit_callbacks
):
    from placements import services
    from tests.factories import EnrolmentFactory as Enrolments

    enrolment = Enrolments(client=ClientFactory(centre=centre), state=State.TRAINED)
    handed = []
    with (
        mock.patch(
            "placements.tasks.send_reminder.apply_async",
            side_effect=lambda args, **kw: handed.append(args),
        ),
        django_capture_on_commit_callbacks(execute=True),
        all_centres_scope(),
    ):
        services.place(
            enrolment=enrolment,
            by=staff,
            kind="self_employment",
            starts_on=timezone.localdate(),
            business_name="خیاطی",
            premises="home",
            activity="دوخت",
        )
    with scopes_disabled():
        reminder = Reminder.objects.get(kind=ReminderKind.PLACEMENT_SMS)
    assert handed == [(reminder.pk,)]
    assert reminder.status == ReminderStatus.PENDING


def test_with_the_broker_down_the_placement_is_saved_and_the_next_sweep_texts(
    centre, staff, client, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from tests.factories import EnrolmentFactory as Enrolments

    enrolment = Enrolments(client=ClientFactory(centre=centre), state=State.TRAINED)
    client.force_login(staff)
    with (
        mock.patch(
            "placements.tasks.send_reminder.apply_async",
            side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            f"/placements/new/{enrolment.pk}/",
            {
                "kind": "self_employment",
                "starts_on": format_jalali(timezone.localdate()),
                "business_name": "خیاطی",
                "premises": "home",
                "activity": "دوخت",
                "version": enrolment.version,
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    with scopes_disabled():
        placement = enrolment.placements.get()
        assert placement.follow_ups.count() == 4
        assert Reminder.objects.get().status == ReminderStatus.PENDING
    assert sms.outbox == []

    sweep(timezone.localdate())

    assert len(sms.outbox) == 1 and "تبریک" in sms.outbox[0].body


def test_offering_a_seat_texts_the_client(centre, staff, django_capture_on_commit_callbacks):
    from clients import services as client_services
    from tests.factories import CourseFactory

    course = CourseFactory(centre=centre, title="خیاطی مقدماتی")
    EnrolmentFactory(client=ClientFactory(centre=centre), state=State.WAITING, course=course)
    handed = []
    with (
        mock.patch(
            "placements.tasks.send_reminder.apply_async",
            side_effect=lambda args, **kw: handed.append(args),
        ),
        django_capture_on_commit_callbacks(execute=True),
        all_centres_scope(),
    ):
        client_services.offer_free_seats(centre=centre, by=staff)
    assert len(handed) == 1
    from placements.reminders import deliver

    with all_centres_scope():
        assert deliver(handed[0][0], on=timezone.localdate(), at=timezone.now()) == "sent"
    assert "خیاطی مقدماتی" in sms.outbox[0].body


def test_the_tasks_survive_a_dead_worker_and_retry_transient_errors_with_backoff():
    from django.db import OperationalError

    from placements.tasks import send_reminder, send_reminders
    from placements.tasks import sweep_follow_ups as task

    for each in (task, send_reminder, send_reminders):
        assert each.acks_late is True  # a worker killed mid-task leaves it queued
        assert OperationalError in each.autoretry_for
        assert smtplib.SMTPException in each.autoretry_for
        assert each.retry_backoff and each.max_retries >= 5


def test_a_batch_asks_for_a_retry_when_a_message_could_not_be_sent(centre, team):
    from placements.reminders import ReminderNotSent
    from placements.tasks import send_reminders
    from placements.tasks import sweep_follow_ups as task

    placed(centre)
    with mock.patch("placements.tasks.send_reminders.delay") as handed:
        task.run(on=DUE_1.isoformat())
    (ids, on), _ = handed.call_args
    with (
        mock.patch.object(
            mail.EmailMultiAlternatives, "send", side_effect=smtplib.SMTPException("down")
        ),
        pytest.raises(ReminderNotSent),
    ):
        send_reminders.run(ids, on)
    # The retry sends what is still pending: the two digests, not the text message again.
    send_reminders.run(ids, on)
    assert len(mail.outbox) == 2 and len(sms.outbox) == 1
