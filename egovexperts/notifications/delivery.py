"""Delivering outbox messages exactly once.

A worker owns a message only if its conditional UPDATE (queued -> sending) touches the row; a
second worker, a retried task or a duplicate beat tick touches none and stops. Rows left in
"sending" by a dead worker are re-queued by the sweep after SENDING_TIMEOUT.
Mail is sent after the claim commits, and the result is recorded in its own transaction.

Workers drain the due messages in batches (`deliver_due`): each message is claimed just before
it is sent, so a worker that dies leaves at most one message in "sending", and a batch reuses
one SMTP connection and one database connection for all its messages.
"""

import contextlib
import datetime
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, connection
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import attachments
from .models import OutboundMessage

MAX_ATTEMPTS = 5
SENDING_TIMEOUT = datetime.timedelta(minutes=10)
BATCH_SIZE = 50  # messages one task sends over one SMTP connection


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
    """Send one message handed out by id (tasks queued before messages went out in batches)."""
    if not claim(message_id):
        return f"message {message_id}: not due or already taken"
    message = OutboundMessage.objects.get(pk=message_id)
    mailer = get_connection()
    try:
        with _quick_commits():
            return f"message {message_id}: {send(message, mailer)}"
    finally:
        _close(mailer)


def claim_next() -> OutboundMessage | None:
    """Claim the message due first, or None when none is due.

    One conditional UPDATE (queued -> sending) that returns the row it changed: the ORM's
    update() only counts rows, so the statement is written out. On PostgreSQL, SKIP LOCKED lets
    workers claiming at the same moment take different rows instead of waiting for each other;
    SQLite runs one writer at a time. Either way the outer `status = queued` keeps the claim
    conditional: a row someone else claimed first is never taken twice.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(OutboundMessage._meta.db_table)
    skip_locked = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    queued, sending = OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENDING
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1 "  # nosec B608: the table name comes from the model
        f"WHERE id = (SELECT id FROM {table} WHERE status = %s AND due_at <= %s "
        f"ORDER BY due_at LIMIT 1{skip_locked}) AND status = %s RETURNING *"
    )
    return next(iter(OutboundMessage.objects.raw(sql, [sending, now, queued, now, queued])), None)


def deliver_due(*, limit: int | None = None, more: Callable[[], object] | None = None) -> str:
    """Claim and send due messages one after the other, up to `limit` (BATCH_SIZE), over one
    SMTP connection.

    `more` is called once the first message is claimed: the task queues another batch then, so
    that every free worker joins in while due messages remain, and the chain ends with the
    first batch that finds nothing to send.
    """
    outcomes = Counter()
    mailer = get_connection()
    try:
        with _quick_commits():
            for _ in range(limit or BATCH_SIZE):
                message = claim_next()
                if message is None:
                    break
                if more is not None and not outcomes:
                    more()
                outcomes[send(message, mailer)] += 1
    finally:
        _close(mailer)
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing due"


def send(message: OutboundMessage, mailer) -> str:
    """Send a message this worker claimed and record the outcome: "sent", "will retry" or "failed"."""
    try:
        email = attachments.attach(render(message), message)
        email.connection = mailer
        mailer.open()  # a no-op while the connection is open; again after a failure closed it
        email.send()
    except Exception as error:  # any failure of rendering or SMTP is recorded and retried
        _close(mailer)  # the next message starts on a fresh connection
        retry = message.attempts < MAX_ATTEMPTS
        OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.QUEUED if retry else OutboundMessage.Status.FAILED,
            **({} if retry else {"secret_context": {}}),
            last_error=f"{type(error).__name__}: {error}"[:2000],
            due_at=timezone.now() + datetime.timedelta(minutes=2**message.attempts),
        )
        return f"will retry ({type(error).__name__})" if retry else f"failed ({type(error).__name__})"
    OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
        status=OutboundMessage.Status.SENT, sent_at=timezone.now(), last_error="", secret_context={}
    )
    return "sent"


@contextlib.contextmanager
def _quick_commits():
    """Claims and outcomes whose commits do not wait for the disk (PostgreSQL's synchronous_commit).

    Other workers see each change at once, as after any commit: a claim stays exclusive. Only a
    crash of the database server itself could lose the last fraction of a second of them and so
    send those messages again, as it could between a send and its record anyway. Waiting for the
    disk twice per message held a worker to a few dozen messages per second. The setting is the
    connection's, so it is put back before the connection serves anything else.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:  # a lost connection resets it
            cursor.execute("RESET synchronous_commit")


def _close(mailer) -> None:
    with contextlib.suppress(Exception):  # a connection the server already dropped
        mailer.close()


def requeue_stuck() -> int:
    """Put back in the queue the messages left in "sending" past SENDING_TIMEOUT (a dead worker)."""
    return OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=timezone.now() - SENDING_TIMEOUT
    ).update(status=OutboundMessage.Status.QUEUED)


def has_due() -> bool:
    return OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, due_at__lte=timezone.now()).exists()


def due_message_ids(limit: int = 500) -> list[int]:
    """Re-queue messages stuck in sending, then list the queued ones that are due."""
    requeue_stuck()
    pending = OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, due_at__lte=timezone.now())
    return list(pending.order_by("due_at").values_list("pk", flat=True)[:limit])
