"""Exactly once, nothing lost: a real worker, Redis and an SMTP server, each failing in turn.

Every test counts what reaches the SMTP sink on loopback and asserts that each due message
arrived exactly once. Timeouts and backoffs of minutes are crossed by moving the clock of the
test and of its worker together (time_machine), never by waiting for them. Each test has a
Redis of its own, which it may kill, and a queue of its own.
"""

import datetime
import signal
from collections import Counter

import pytest
from django.db import transaction

from egovexperts.notifications import delivery, outbox, services
from egovexperts.notifications.models import OutboundMessage
from egovexperts.notifications.tasks import deliver_due_messages

from .conftest import wait_until

Status = OutboundMessage.Status


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
