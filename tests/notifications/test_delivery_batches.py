"""Delivery in batches: claimed one message at a time, sent over one SMTP connection."""

import datetime
import socket
import threading
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from egovexperts.notifications import delivery, outbox, tasks
from egovexperts.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


def queue(recipient: str, **fields) -> OutboundMessage:
    fields.setdefault("context", {"full_name": "Nguyễn Văn An", "path": "/"})
    outbox.enqueue("invitation", recipient=recipient, key="k", **fields)
    return OutboundMessage.objects.get(recipient=recipient)


def test_a_batch_sends_every_due_message_once_and_leaves_later_ones_queued():
    for n in range(3):
        queue(f"due{n}@example.org")
    later = queue("later@example.org", due_at=timezone.now() + datetime.timedelta(hours=1))
    assert delivery.deliver_due() == "3 sent"
    assert delivery.deliver_due() == "nothing due"
    assert sorted(message.to[0] for message in mail.outbox) == [f"due{n}@example.org" for n in range(3)]
    assert set(OutboundMessage.objects.exclude(pk=later.pk).values_list("status", "attempts")) == {("sent", 1)}
    later.refresh_from_db()
    assert (later.status, later.attempts) == (OutboundMessage.Status.QUEUED, 0)


def test_a_batch_stops_at_its_limit_and_asks_once_for_the_next():
    for n in range(5):
        queue(f"trainee{n}@example.org")
    more = mock.Mock()
    assert delivery.deliver_due(limit=2, more=more) == "2 sent"
    more.assert_called_once_with()
    assert OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED).count() == 3


def test_a_batch_with_nothing_due_asks_for_no_next_one():
    more = mock.Mock()
    assert delivery.deliver_due(more=more) == "nothing due"
    more.assert_not_called()


def test_a_message_that_fails_is_retried_later_and_the_batch_goes_on():
    queue("first@example.org")
    outbox.enqueue("no_such_kind", recipient="broken@example.org", key="k")  # no template to render
    queue("last@example.org")
    assert delivery.deliver_due() == "2 sent, 1 will retry (TemplateDoesNotExist)"
    broken = OutboundMessage.objects.get(recipient="broken@example.org")
    assert broken.status == OutboundMessage.Status.QUEUED
    assert broken.due_at > timezone.now() + datetime.timedelta(minutes=1)  # the first backoff: 2 minutes
    assert "TemplateDoesNotExist" in broken.last_error
    assert len(mail.outbox) == 2


class ConnectionCounter:
    def __init__(self):
        self.connections = 0
        self.messages = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        return "250 OK"


def test_a_batch_sends_all_its_messages_over_one_smtp_connection(settings):
    counter = ConnectionCounter()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        for n in range(4):
            queue(f"trainee{n}@example.org")
        assert delivery.deliver_due() == "4 sent"
    finally:
        controller.stop()
    assert (counter.connections, counter.messages) == (1, 4)


def test_a_message_left_sending_is_not_claimed_again_until_the_sweep_requeues_it():
    message = queue("an@example.org")
    assert delivery.claim_next() == message  # a worker claimed it, then died
    assert delivery.claim_next() is None
    assert delivery.requeue_stuck() == 0
    later = timezone.now() + delivery.SENDING_TIMEOUT + datetime.timedelta(seconds=1)
    with mock.patch.object(timezone, "now", return_value=later):
        assert delivery.requeue_stuck() == 1
        assert delivery.deliver_due() == "1 sent"
    assert len(mail.outbox) == 1


def test_the_sweep_starts_a_batch_only_when_something_is_due():
    with mock.patch.object(tasks.deliver_due_batch, "delay") as delay:
        assert tasks.deliver_due_messages() == "nothing due (0 re-queued)"
        delay.assert_not_called()
        queue("an@example.org")
        assert tasks.deliver_due_messages() == "delivery started (0 re-queued)"
        delay.assert_called_once_with()


def test_a_change_is_committed_even_when_the_broker_is_down(django_capture_on_commit_callbacks):
    broken = mock.patch.object(tasks.deliver_due_messages, "delay", side_effect=OperationalError("refused"))
    with broken as delay, django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queue("an@example.org")
    delay.assert_called_once_with()  # tried, failed, and did not fail the change
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.QUEUED


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_the_same_moment_never_take_the_same_message():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    outbox.enqueue_many([outbox.Message("invitation", f"t{n}@example.org", "k") for n in range(200)])
    claimed = [[] for _ in range(4)]
    start = threading.Barrier(4)

    def claim_all(mine):
        start.wait()
        try:
            while (message := delivery.claim_next()) is not None:
                mine.append(message.pk)
        finally:
            connection.close()

    workers = [threading.Thread(target=claim_all, args=(mine,)) for mine in claimed]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    every = [pk for mine in claimed for pk in mine]
    assert len(every) == len(set(every)) == 200
    assert sum(1 for mine in claimed if mine) > 1  # they did claim side by side
    assert set(OutboundMessage.objects.values_list("attempts", flat=True)) == {1}


@pytest.fixture
def eager():
    from egovexperts.celery_app import app

    previous, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = previous


def test_in_eager_mode_the_sweep_sends_every_batch_one_after_the_other(eager, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 1)  # a batch per message: 300 batches
    outbox.enqueue_many([outbox.Message("invitation", f"t{n}@example.org", "k") for n in range(300)])
    tasks.deliver_due_messages.delay()
    assert len(mail.outbox) == 300
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {OutboundMessage.Status.SENT}
