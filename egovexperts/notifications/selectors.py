"""The delivery log's reads: pages of messages with their rendered text, a message's chain of
copies, and what the planning service would send next.

The text is rendered by delivery.render(), as the worker renders it, from a copy of the message
whose secrets are replaced by a mark: a password-setting link is a credential, and organizers
never read one, for any account, whether it still waits in the outbox or was erased.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.utils import timezone

from . import delivery, languages, outbox
from .filters import MessageFilter, kind_label
from .models import OutboundMessage
from .services import LINK_KINDS, ON_THEIR_WAY, chain, resend_refusal

HIDDEN = "/••••••"  # stands for a secret in the rendered text
PAGE_SIZE = 25
UPCOMING_DAYS = 14


@dataclass(slots=True)
class Text:
    subject: str
    body: str
    error: str = ""  # why the text could not be rendered


@dataclass(slots=True)
class LogRow:
    message: OutboundMessage
    kind_label: str
    text: Text
    refusal: str  # why the row has no Re-send button ("" if it has one)
    due_at: datetime.datetime | None  # when a message not yet sent goes out (None once given up)


def shown_text(message: OutboundMessage) -> Text:
    """The subject and plain body the recipient gets (or got), secrets masked."""
    hidden = dict.fromkeys(message.secret_context or {}, HIDDEN)
    if message.kind in LINK_KINDS:
        hidden.setdefault("path", HIDDEN)  # the link's place, even once the link is erased
    masked = OutboundMessage(
        kind=message.kind,
        recipient=message.recipient,
        language=message.language,
        context=message.context or {},
        secret_context=hidden,
        key=message.key,
        due_at=message.due_at,
    )
    try:
        email = delivery.render(masked)
    except Exception as error:  # a kind without templates, a context they cannot use
        return Text("", "", f"{type(error).__name__}: {error}")
    return Text(email.subject, email.body)


def log_page(filterset: MessageFilter, number, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of the filtered log, newest first, each row with its rendered text.

    Two queries: the count and the page's rows (the rendering reads nothing)."""
    page = Paginator(filterset.qs, per_page).get_page(number)
    page.object_list = [
        LogRow(
            message,
            kind_label(message.kind),
            shown_text(message),
            resend_refusal(message),
            message.due_at if message.status in ON_THEIR_WAY else None,
        )
        for message in page.object_list
    ]
    return page


def message_chain(message: OutboundMessage) -> list[OutboundMessage]:
    """The first message of the chain and every copy of it, oldest first."""
    return list(chain(message.resent_from_id or message.pk).order_by("pk"))


@dataclass(slots=True)
class UpcomingRow:
    message: outbox.Message
    kind_label: str
    text: Text


@dataclass(slots=True)
class Upcoming:
    page: Page
    counts: list[tuple[str, str, int]]  # kind, its label, how many
    total: int
    until: datetime.datetime


def upcoming(*, kind: str = "", recipient: str = "", number=1, per_page: int = PAGE_SIZE) -> Upcoming:
    """What the planning service would send in the next 14 days: the code of `--dry-run`."""
    from . import planning

    now = timezone.now()
    plan = planning.plan(at=now, horizon=datetime.timedelta(days=UPCOMING_DAYS), dry_run=True)
    messages = sorted(plan.messages, key=lambda message: (message.due_at or now, message.kind, message.recipient))
    counts = [(name, kind_label(name), count) for name, count in sorted(plan.counts.items()) if count]
    if kind:
        messages = [message for message in messages if message.kind == kind]
    if recipient:
        messages = [message for message in messages if recipient.lower() in message.recipient.lower()]
    page = Paginator(messages, per_page).get_page(number)
    page.object_list = [
        UpcomingRow(message, kind_label(message.kind), shown_text(_unsaved(message))) for message in page.object_list
    ]
    total = sum(count for _name, _label, count in counts)
    return Upcoming(page, counts, total, now + datetime.timedelta(days=UPCOMING_DAYS))


def _unsaved(message: outbox.Message) -> OutboundMessage:
    return OutboundMessage(
        kind=message.kind,
        recipient=message.recipient,
        key=message.key,
        context=message.context,
        secret_context=message.secret_context,
        due_at=message.due_at,
        language=message.language or languages.DEFAULT,
    )
