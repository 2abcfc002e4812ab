"""Delivering outbox messages exactly once.

A worker owns a message only if its conditional UPDATE (queued -> sending) touches exactly
one row; a second worker, a retried task or a duplicate beat tick touches none and stops.
Rows left in "sending" by a dead worker are re-queued by the sweep after SENDING_TIMEOUT.
Mail is sent after the claim commits, and the result is recorded in its own transaction.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import attachments
from .models import OutboundMessage

MAX_ATTEMPTS = 5
SENDING_TIMEOUT = datetime.timedelta(minutes=10)


def claim(message_id: int) -> bool:
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, status=OutboundMessage.Status.QUEUED, due_at__lte=now
    ).update(status=OutboundMessage.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return claimed == 1


def render(message: OutboundMessage) -> EmailMultiAlternatives:
    """Subject, text and HTML of the message (reads nothing; files are attached when it is sent)."""
    with translation.override(message.language):
        context = {**message.context, **message.secret_context, "site_url": settings.SITE_URL}
        base = f"emails/{message.kind}"
        subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
        body = render_to_string(f"{base}/body.txt", context)
        email = EmailMultiAlternatives(subject, body, to=[message.recipient])
        try:
            email.attach_alternative(render_to_string(f"{base}/body.html", context), "text/html")
        except TemplateDoesNotExist:
            pass
    return email


def deliver(message_id: int) -> str:
    if not claim(message_id):
        return f"message {message_id}: not due or already taken"
    message = OutboundMessage.objects.get(pk=message_id)
    try:
        attachments.attach(render(message), message).send()
    except Exception as error:  # any failure of rendering or SMTP is recorded and retried
        retry = message.attempts < MAX_ATTEMPTS
        OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.QUEUED if retry else OutboundMessage.Status.FAILED,
            **({} if retry else {"secret_context": {}}),
            last_error=f"{type(error).__name__}: {error}"[:2000],
            due_at=timezone.now() + datetime.timedelta(minutes=2**message.attempts),
        )
        return f"message {message_id}: {'will retry' if retry else 'failed'} ({type(error).__name__})"
    OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.SENDING).update(
        status=OutboundMessage.Status.SENT, sent_at=timezone.now(), last_error="", secret_context={}
    )
    return f"message {message_id}: sent"


def due_message_ids(limit: int = 500) -> list[int]:
    """Re-queue messages stuck in sending, then list the queued ones that are due."""
    now = timezone.now()
    OutboundMessage.objects.filter(status=OutboundMessage.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT).update(
        status=OutboundMessage.Status.QUEUED
    )
    pending = OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, due_at__lte=now)
    return list(pending.order_by("due_at").values_list("pk", flat=True)[:limit])
