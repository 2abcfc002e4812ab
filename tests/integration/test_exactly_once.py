"""Exactly once, nothing lost: a real worker, Redis and an SMTP server, each failing in turn.

Every test counts what reaches the SMTP sink on loopback and asserts that each due message
arrived exactly once. Timeouts and backoffs of minutes are crossed by moving the clock of the
test and of its worker together (time_machine), never by waiting for them. Each test has a
Redis of its own, which it may kill, and a queue of its own.
"""

import datetime
import signal
import subprocess
import sys
from collections import Counter
from subprocess import PIPE, STDOUT

import pytest
from django.db import connection, transaction

from egovexperts.core.workdays import VIETNAM
from egovexperts.notifications import delivery, outbox, planning, services
from egovexperts.notifications.models import OutboundMessage
from egovexperts.notifications.tasks import deliver_due_messages
from tests.factories import CourseFactory, EnrolmentFactory, SessionFactory

from .conftest import ROOT, service_env, wait_until

Status = OutboundMessage.Status
# A Wednesday far from any holiday, in working hours: the 7-day reminders of a session on
# 10 March at 08:30 fall due at 08:30 on 3 March.
SESSION_START = datetime.datetime(2027, 3, 10, 8, 30, tzinfo=VIETNAM)
REMINDERS_DUE = SESSION_START - datetime.timedelta(days=7)


@pytest.fixture
def worker(private_redis, start_worker):
    """Start workers on the test's private Redis (which then outlives them)."""
    return start_worker


def queue_messages(recipients, kind="session_changed"):
    with transaction.atomic():  # one commit, one kick: the worker gets them as one batch
        outbox.enqueue_many(
            outbox.Message(
                kind,
                recipient,
                key="session:1:changed:1",
                context={"full_name": recipient, "title": "Chuyển đổi số", "course": "Chính phủ số"},
            )
            for recipient in recipients
        )


def session_with_trainees(count: int) -> list[str]:
    """A session with `count` trainees enrolled, whose 7-day reminders fall due at REMINDERS_DUE."""
    course = CourseFactory(title="Kiến trúc Chính phủ điện tử")
    SessionFactory(course=course, starts_at=SESSION_START, ends_at=SESSION_START + datetime.timedelta(hours=3))
    recipients = [f"hoc-vien{n}@example.org" for n in range(count)]
    for recipient in recipients:
        EnrolmentFactory(cohort=course.cohort, trainee__email=recipient)
    return recipients


def outbox_recipients() -> Counter:
    return Counter(OutboundMessage.objects.values_list("recipient", flat=True))


def statuses() -> Counter:
    return Counter(OutboundMessage.objects.values_list("status", flat=True))


def sweep() -> str:
    """The beat's sweep, run in this process at this process's (moved) time."""
    return deliver_due_messages()


def assert_each_arrived_once(sink, recipients, timeout=30):
    wait_until(
        lambda: not OutboundMessage.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).exists(),
        timeout=timeout,
        message="messages are still on their way",
    )
    # Every row is final (a sent row was recorded after the server accepted it) and a final row
    # is never claimed again: nothing more can arrive.
    assert sink.recipients() == Counter(recipients)


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(worker, smtp_sink, clock):
    recipients = [f"trainee{n}@example.org" for n in range(12)]
    process = worker()
    held = smtp_sink.hold(5)  # the worker will be stuck waiting for the server's reply to the fifth
    queue_messages(recipients)
    assert held.reached.wait(30), "the fifth message never reached the server"
    process.send_signal(signal.SIGKILL)
    process.wait()
    held.release()  # the server never accepted it: the connection died before its reply

    assert len(smtp_sink.messages) == 4
    assert statuses() == {Status.SENT: 4, Status.SENDING: 1, Status.QUEUED: 7}
    stuck = OutboundMessage.objects.get(status=Status.SENDING)
    worker()

    # Before the timeout the queued messages go out (the batch the killed worker had queued
    # next, or the sweep's), and the message a worker may still be sending is left alone.
    clock.move_to(stuck.claimed_at + delivery.SENDING_TIMEOUT - datetime.timedelta(seconds=30))
    sweep()
    wait_until(lambda: len(smtp_sink.messages) == 11, message="the queued messages were not delivered")
    assert statuses() == {Status.SENT: 11, Status.SENDING: 1}
    assert sweep() == "nothing due (0 re-queued)"
    assert stuck.recipient not in smtp_sink.recipients()

    clock.move_to(stuck.claimed_at + delivery.SENDING_TIMEOUT + datetime.timedelta(seconds=1))
    assert sweep() == "delivery started (1 re-queued)"
    assert_each_arrived_once(smtp_sink, recipients)
    stuck.refresh_from_db()
    assert stuck.attempts == 2


def test_the_smtp_server_down_means_retries_with_backoff_then_failed_then_resent_from_the_log(worker, smtp_sink, clock):
    recipients = ["an@example.org", "binh@example.org", "cuong@example.org"]
    smtp_sink.stop()
    worker()
    queue_messages(recipients)
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        wait_until(
            lambda attempt=attempt: set(OutboundMessage.objects.values_list("attempts", "status"))
            <= {(attempt, Status.QUEUED), (attempt, Status.FAILED)},
            message=f"attempt {attempt} did not fail",
        )
        messages = list(OutboundMessage.objects.all())
        assert all("ConnectionRefusedError" in message.last_error for message in messages)
        if attempt == delivery.MAX_ATTEMPTS:
            break
        for message in messages:  # waits 2, 4, 8, then 16 minutes
            backoff = message.due_at - message.claimed_at
            assert datetime.timedelta(minutes=2**attempt) <= backoff < datetime.timedelta(minutes=2**attempt, seconds=5)
        retry_at = max(message.due_at for message in messages)
        clock.move_to(retry_at - datetime.timedelta(seconds=5))
        assert sweep() == "nothing due (0 re-queued)"  # no retry before its time
        clock.move_to(retry_at + datetime.timedelta(seconds=1))
        assert sweep() == "delivery started (0 re-queued)"

    assert statuses() == {Status.FAILED: 3}
    assert smtp_sink.messages == []
    smtp_sink.start()
    assert sweep() == "nothing due (0 re-queued)"  # a failed message is not retried on its own

    with transaction.atomic():
        assert services.retry_failed() == 3  # the delivery log's "retry all failed"
    assert_each_arrived_once(smtp_sink, recipients)
    copies = OutboundMessage.objects.filter(resent_from__isnull=False)
    assert copies.count() == 3
    assert statuses() == {Status.FAILED: 3, Status.SENT: 3}
    assert set(copies.values_list("resent_from__status", flat=True)) == {Status.FAILED}
    with transaction.atomic():
        assert services.retry_failed() == 0  # a second click writes nothing
    assert sweep() == "nothing due (0 re-queued)"
    assert smtp_sink.recipients() == Counter(recipients)


def test_redis_stopped_while_reminders_are_planned_then_started_loses_nothing(
    private_redis, start_worker, smtp_sink, clock
):
    trainees = session_with_trainees(8)
    clock.move_to(REMINDERS_DUE + datetime.timedelta(minutes=1))
    start_worker()
    notices = [f"organizer{n}@example.org" for n in range(4)]
    held = smtp_sink.hold(2)
    queue_messages(notices)  # Redis dies while the worker is sending this batch
    assert held.reached.wait(30), "the worker did not start the batch"
    private_redis.stop()  # every task it held is gone with it
    held.release(accept=True)
    wait_until(lambda: statuses() == {Status.SENT: 4}, message="the batch did not finish without Redis")

    result = planning.plan()  # its kick to the worker fails: the plan is written all the same
    assert result.counts.get("session_reminder") == 8
    assert OutboundMessage.objects.filter(kind="session_reminder", status=Status.QUEUED).count() == 8

    private_redis.start()  # on the same port, empty
    wait_until(lambda: clock.workers_answer(), timeout=60, message="the worker did not reconnect")
    assert statuses() == {Status.SENT: 4, Status.QUEUED: 8}  # the kick was lost with Redis
    assert sweep() == "delivery started (0 re-queued)"  # the beat's next tick
    assert_each_arrived_once(smtp_sink, notices + trainees)


def test_two_beat_processes_planning_at_the_same_instant_write_and_send_each_reminder_once(
    worker, worker_queue, smtp_sink, clock
):
    trainees = session_with_trainees(20)
    clock.move_to(REMINDERS_DUE + datetime.timedelta(minutes=1))
    worker()
    env = service_env(worker_queue, clock)
    # A beat process as `manage.py plan_reminders` runs, on the test's clock.
    command = "import django, tests.integration.worker; django.setup(); "
    command += "from django.core.management import call_command; call_command('plan_reminders')"
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Both processes read that nothing is queued, then wait here to insert: released
            # together, their inserts of the same rows race.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {OutboundMessage._meta.db_table} IN EXCLUSIVE MODE")
        beats = [
            subprocess.Popen([sys.executable, "-c", command], cwd=ROOT, env=env, stdout=PIPE, stderr=STDOUT)
            for _ in range(2)
        ]
        if connection.vendor == "postgresql":
            wait_until(
                lambda: inserts_waiting() == 2 or any(beat.poll() is not None for beat in beats),
                timeout=60,
                message="the planners did not both reach the insert",
            )
    outputs = [beat.communicate(timeout=60)[0].decode() for beat in beats]
    assert [beat.returncode for beat in beats] == [0, 0], outputs
    assert all("session_reminder: 20" in output for output in outputs), outputs
    assert OutboundMessage.objects.filter(kind="session_reminder").count() == 20
    assert outbox_recipients() == Counter(trainees)
    assert_each_arrived_once(smtp_sink, trainees)


def inserts_waiting() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO %%notifications_outboundmessage%%'"
        )
        return cursor.fetchone()[0]
