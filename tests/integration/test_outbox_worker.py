"""Delivery through a real worker, real Redis and an SMTP server: once, and nothing lost."""

from django.db import transaction

from egovexperts.notifications import outbox
from egovexperts.notifications.models import OutboundMessage
from egovexperts.notifications.tasks import deliver_message
from tests.factories import TraineeFactory
from trainees.accounts import invite_trainee

from .conftest import wait_until


def test_an_invitation_reaches_the_trainee_through_the_worker(start_worker, smtp_sink):
    start_worker()
    trainee = TraineeFactory(full_name="Phạm Thu Hà", email="ha.pham@example.org")
    with transaction.atomic():
        invite_trainee(trainee)  # the worker is kicked only when this commits
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "ha.pham@example.org"
    body = (
        message.get_payload(0).get_payload(decode=True).decode()
        if message.is_multipart()
        else message.get_payload(decode=True).decode()
    )
    assert "Phạm Thu Hà" in body
    assert "/accounts/password/reset/key/" in body
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.SENT


def test_messages_queued_while_no_worker_runs_are_delivered_when_one_starts(start_worker, smtp_sink):
    with transaction.atomic():
        for n in range(3):
            outbox.enqueue(
                "invitation",
                recipient=f"user{n}@example.org",
                key=f"k{n}",
                context={"full_name": f"User {n}", "path": "/"},
            )
    assert smtp_sink.messages == []
    start_worker()
    assert len(smtp_sink.wait_for(3)) == 3
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {OutboundMessage.Status.SENT}


def succeeded(worker, task: str) -> int:
    lines = worker.log.read_text().splitlines()
    return sum(1 for line in lines if f"tasks.{task}[" in line and " succeeded in " in line)


def test_a_message_asked_for_many_times_is_sent_once(start_worker, smtp_sink):
    outbox.enqueue("invitation", recipient="once@example.org", key="once", context={"full_name": "A", "path": "/"})
    message_id = OutboundMessage.objects.get().pk
    worker = start_worker()
    for _ in range(5):
        deliver_message.delay(message_id)
    wait_until(  # the worker has run all five: nothing more can arrive
        lambda: succeeded(worker, "deliver_message") == 5, message="the worker did not run the five tasks"
    )
    assert len(smtp_sink.messages) == 1
    assert OutboundMessage.objects.get().attempts == 1
