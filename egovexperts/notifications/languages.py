"""Each message in its recipient's language: the one they last chose, Vietnamese by default.

The choice is kept per address (trainees and organizers alike) when a signed-in user switches
language; the outbox fills it in for every message written without a language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

from .models import LanguagePreference

if TYPE_CHECKING:
    from . import outbox

# The programme's language: what a recipient who never chose reads (not settings.LANGUAGE_CODE,
# which is the language of pages before anyone chooses and which tests set to English).
DEFAULT = "vi"


def remember(addresses: Iterable[str], language: str) -> None:
    """Record the language the person behind these addresses chose."""
    if language not in dict(settings.LANGUAGES):
        return
    for address in {address.strip().lower() for address in addresses if address}:
        LanguagePreference.objects.update_or_create(address=address, defaults={"language": language})


def resolve(messages: list[outbox.Message]) -> list[outbox.Message]:
    """Messages without a language get their recipient's (one query, only if one lacks it)."""
    if all(message.language for message in messages):
        return messages
    # The whole table: one row per person who ever switched, read without a list of parameters.
    chosen = dict(LanguagePreference.objects.values_list("address", "language"))
    return [
        message
        if message.language
        else dataclasses.replace(message, language=chosen.get(message.recipient.strip().lower(), DEFAULT))
        for message in messages
    ]
