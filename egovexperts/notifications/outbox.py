"""Writing messages to the outbox. Imports no app: services of every app call this.

Call it inside the service's transaction; the message is handed to a worker only after
commit, so a rolled-back change sends nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import OutboundMessage


@dataclass(frozen=True)
class Message:
    kind: str
    recipient: str
    key: str
    context: dict = field(default_factory=dict)
    due_at: datetime.datetime | None = None
    language: str = "vi"
    secret_context: dict = field(default_factory=dict)  # erased after delivery (see the model)


def enqueue(
    kind: str,
    *,
    recipient: str,
    key: str,
    context: dict | None = None,
    due_at=None,
    language="vi",
    secret_context: dict | None = None,
) -> int:
    """Queue one message; returns 1 if it is new, 0 if the same message was already queued."""
    return enqueue_many([Message(kind, recipient, key, context or {}, due_at, language, secret_context or {})])


def enqueue_many(messages: Iterable[Message]) -> int:
    """Queue messages, skipping those already there (same kind, recipient and key).

    Returns how many rows are new (approximate while other writers insert the same messages).
    """
    now = timezone.now()
    rows = [
        OutboundMessage(
            kind=message.kind,
            recipient=message.recipient.strip().lower(),
            key=message.key,
            context=message.context,
            secret_context=message.secret_context,
            due_at=message.due_at or now,
            language=message.language,
        )
        for message in messages
        if message.recipient
    ]
    if not rows:
        return 0
    keys = {(row.kind, row.recipient, row.key) for row in rows}
    queued = _already_queued(keys)
    OutboundMessage.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.due_at <= now for row in rows):
        transaction.on_commit(_kick_delivery)
    return len(keys - queued)


def _already_queued(keys: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Which of these (kind, recipient, key) are in the outbox: read through its unique index,
    in chunks that stay under SQLite's limit of query parameters."""
    found = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 300):
        chunk = ordered[start : start + 300]
        kinds, recipients, names = (set(column) for column in zip(*chunk, strict=True))
        rows = OutboundMessage.objects.filter(kind__in=kinds, recipient__in=recipients, key__in=names)
        found.update(row for row in rows.values_list("kind", "recipient", "key") if row in keys)
    return found


def _kick_delivery() -> None:
    from .tasks import deliver_due_messages

    deliver_due_messages.delay()
