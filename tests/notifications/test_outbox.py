"""The outbox: a message is queued once and delivered once, failures are retried."""

import datetime
import socket

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from egovexperts.notifications import delivery, outbox
from egovexperts.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


def queue(**overrides):
    fields = {
        "recipient": "an.nguyen@example.org",
        "key": "trainee:1:invitation:1",
        "context": {"full_name": "Nguyễn Văn An", "path": "/accounts/password/reset/key/1-abc/"},
    }
    fields.update(overrides)
    return outbox.enqueue("invitation", **fields)


def test_queueing_the_same_message_twice_writes_one_row():
    assert queue() == 1
    assert queue() == 0
    assert OutboundMessage.objects.count() == 1


def test_a_batch_counts_only_its_new_messages_in_three_queries(django_assert_num_queries):
    queue(recipient="an@example.org", key="k")
    queue(recipient="binh@example.org", key="other")
    batch = [
        outbox.Message("invitation", " An@Example.org ", "k"),  # queued already, written otherwise
        outbox.Message("invitation", "binh@example.org", "k"),
        outbox.Message("invitation", "binh@example.org", "k"),  # twice in the batch
        outbox.Message("session_changed", "an@example.org", "k"),
    ]
    # the recipients' languages; the batch's keys already queued; the insert
    with django_assert_num_queries(3):
        assert outbox.enqueue_many(batch) == 2
    assert OutboundMessage.objects.count() == 4


def test_recipient_addresses_are_normalised():
    queue(recipient="  An.Nguyen@Example.org ")
    assert OutboundMessage.objects.get().recipient == "an.nguyen@example.org"


def test_a_message_is_delivered_once_even_if_asked_twice():
    queue()
    message = OutboundMessage.objects.get()
    assert delivery.deliver(message.pk).endswith("sent")
    assert delivery.deliver(message.pk).endswith("already taken")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["an.nguyen@example.org"]
    assert "Nguyễn Văn An" in sent.body
    assert "/accounts/password/reset/key/1-abc/" in sent.body
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 1


def test_a_message_not_yet_due_is_not_sent():
    queue(due_at=timezone.now() + datetime.timedelta(hours=1))
    message = OutboundMessage.objects.get()
    assert delivery.deliver(message.pk).endswith("already taken")
    assert delivery.due_message_ids() == []
    assert mail.outbox == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_a_failed_send_is_retried_later_then_given_up(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 5
    queue()
    message = OutboundMessage.objects.get()
    assert "will retry" in delivery.deliver(message.pk)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert "ConnectionRefusedError" in message.last_error
    assert message.due_at > timezone.now()
    for day in range(1, delivery.MAX_ATTEMPTS):
        with time_machine.travel(timezone.now() + datetime.timedelta(days=day), tick=False):
            delivery.deliver(message.pk)
        message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == delivery.MAX_ATTEMPTS


def test_a_message_left_sending_by_a_dead_worker_is_requeued_by_the_sweep():
    queue()
    message = OutboundMessage.objects.get()
    assert delivery.claim(message.pk)  # a worker claimed it, then died
    assert delivery.due_message_ids() == []
    with time_machine.travel(timezone.now() + delivery.SENDING_TIMEOUT + datetime.timedelta(minutes=1), tick=False):
        assert delivery.due_message_ids() == [message.pk]
        assert delivery.deliver(message.pk).endswith("sent")
    assert len(mail.outbox) == 1
