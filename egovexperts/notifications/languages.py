"""Each message in its recipient's language: the one they last chose, Vietnamese by default.

The choice is kept per address (trainees and organizers alike) when a signed-in user switches
language; the outbox fills it in for every message written without a language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
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


def chosen() -> dict[str, str]:
    """Every recorded choice, by address: one query, one row per person who ever switched, read
    without a list of parameters."""
    return dict(LanguagePreference.objects.values_list("address", "language"))


def language_of(message: outbox.Message, choices: dict[str, str]) -> str:
    return message.language or choices.get(message.recipient.strip().lower(), DEFAULT)


def resolve(messages: list[outbox.Message]) -> list[outbox.Message]:
    """The messages, those without a language given their recipient's (for showing them: the
    outbox fills in the language of rows it writes itself)."""
    if all(message.language for message in messages):
        return messages
    choices = chosen()
    return [
        message if message.language else replace(message, language=language_of(message, choices))
        for message in messages
    ]
