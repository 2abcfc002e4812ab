"""Writing messages to the outbox. Imports no app: services of every app call this.

Call it inside the service's transaction; the message is handed to a worker only after
commit, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import languages
from .models import OutboundMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    kind: str
    recipient: str
    key: str
    context: dict = field(default_factory=dict)
    due_at: datetime.datetime | None = None
    language: str = ""  # "": the recipient's (languages.py)
    secret_context: dict = field(default_factory=dict)  # erased after delivery (see the model)


def enqueue(
    kind: str,
    *,
    recipient: str,
    key: str,
    context: dict | None = None,
    due_at=None,
    language="",
    secret_context: dict | None = None,
) -> int:
    """Queue one message; returns 1 if it is new, 0 if the same message was already queued."""
    return enqueue_many([Message(kind, recipient, key, context or {}, due_at, language, secret_context or {})])


def enqueue_many(messages: Iterable[Message]) -> int:
    """Queue messages, skipping those already there (same kind, recipient and key).

    Returns how many rows are new (approximate while other writers insert the same messages).
    """
    now = timezone.now()
    messages = [message for message in messages if message.recipient]
    choices = languages.chosen() if any(not message.language for message in messages) else {}
    rows = [
        OutboundMessage(
            kind=message.kind,
            recipient=message.recipient.strip().lower(),
            key=message.key,
            context=message.context,
            secret_context=message.secret_context,
            due_at=message.due_at or now,
            language=languages.language_of(message, choices),
        )
        for message in messages
    ]
    if not rows:
        return 0
    queued = _already_queued({(row.kind, row.recipient, row.key) for row in rows})
    fresh = []
    for row in rows:
        identity = (row.kind, row.recipient, row.key)
        if identity not in queued:
            queued.add(identity)  # the same message twice in the batch is written once
            fresh.append(row)
    if not fresh:
        return 0
    # ignore_conflicts: another writer may insert the same message between the read and here.
    OutboundMessage.objects.bulk_create(fresh, ignore_conflicts=True)
    if any(row.due_at <= now for row in fresh):
        transaction.on_commit(kick_delivery)
    return len(fresh)


def _already_queued(identities: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Which of these (kind, recipient, key) are in the outbox.

    Looked up by (kind, key) through their index, in chunks that stay under SQLite's limit of
    query parameters: a reminder of a session shares its key with every trainee of the session,
    so the planning of a day's reminders is one query whatever the number of trainees.
    """
    found = set()
    pairs = sorted({(kind, key) for kind, _recipient, key in identities})
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        kinds, names = (set(column) for column in zip(*chunk, strict=True))
        rows = OutboundMessage.objects.filter(kind__in=kinds, key__in=names)
        found.update(row for row in rows.values_list("kind", "recipient", "key") if row in identities)
    return found


def kick_delivery() -> None:
    """Wake a worker now. With the broker unreachable the change is committed all the same, and
    the beat's sweep delivers the rows when it is back: the caller must not fail for it."""
    from .tasks import deliver_due_messages

    try:
        deliver_due_messages.delay()
    except Exception:  # kombu's OperationalError, or whatever a broken broker raises
        logger.warning("Could not reach the broker; the sweep will deliver the queued messages", exc_info=True)
