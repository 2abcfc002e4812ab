"""Quiet hours: between 21:00 and 07:00 Vietnam time only urgent change notices go out.

A message due in the night is held until 07:00 by its due time; the sweep does the rest.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from egovexperts.core.workdays import VIETNAM

if TYPE_CHECKING:
    from . import outbox


QUIET_FROM = datetime.time(21)
QUIET_UNTIL = datetime.time(7)


def is_quiet(moment: datetime.datetime) -> bool:
    local = moment.astimezone(VIETNAM).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def sending_time(moment: datetime.datetime) -> datetime.datetime:
    """The moment itself, or 07:00 Vietnam time after it if it falls in quiet hours."""
    if not is_quiet(moment):
        return moment
    local = moment.astimezone(VIETNAM)
    morning = local.replace(hour=QUIET_UNTIL.hour, minute=0, second=0, microsecond=0)
    if local.time() >= QUIET_FROM:
        morning += datetime.timedelta(days=1)
    return morning.astimezone(datetime.UTC)


def deferred(message: outbox.Message) -> outbox.Message:
    """The message with its due time moved out of quiet hours."""
    due_at = message.due_at or timezone.now()
    moved = sending_time(due_at)
    if moved == message.due_at:
        return message
    # Field by field: dataclasses.replace() costs ten times more, on ten thousand reminders.
    return type(message)(
        message.kind, message.recipient, message.key, message.context, moved, message.language, message.secret_context
    )
