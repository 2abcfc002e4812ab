"""The delivery log's writes: sending a message again, retrying every failed message.

A message is never changed to go out again. A copy is written that points to the first message
of its chain (`resent_from`), so the log keeps what happened to every attempt (its error, its
attempts, its sent time), and the worker delivers the copy as it delivers any message: exactly
once, through its claim. The copy goes out at once: an organizer chose to send it now, so quiet
hours (which the planning service applies to what it plans) do not hold it back.

Password-setting links (invitations, password resets) are never sent again. Their link is erased
once sent or given up, and even while it waits it is a credential the log does not handle: a
fresh link comes from the service that makes one (a new invitation on the Trainee accounts page;
the account holder asks for a new reset from the sign-in page). The outbox imports no domain app,
so it could not make one itself.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OutboundMessage
from .outbox import kick_delivery

# Kinds whose message carries a password-setting link (see the module's docstring).
LINK_KINDS = frozenset({"invitation", "password_reset"})
RESENDABLE = frozenset({OutboundMessage.Status.SENT, OutboundMessage.Status.FAILED})
ON_THEIR_WAY = frozenset({OutboundMessage.Status.QUEUED, OutboundMessage.Status.SENDING})
KEY_LENGTH = OutboundMessage._meta.get_field("key").max_length


def copy_key(original_key: str, *, after: int) -> str:
    """The copy's key: the original's, with the id of the attempt the copy follows.

    Two clicks on the same button, or two "retry all" at once, write the same key, which the
    outbox's unique (kind, recipient, key) keeps to one row. A key too long for the column keeps
    its start and a digest of the whole, so that it stays unique."""
    suffix = f":resend:{after}"
    if len(original_key) + len(suffix) > KEY_LENGTH:
        digest = hashlib.sha256(original_key.encode()).hexdigest()[:16]
        original_key = f"{original_key[: KEY_LENGTH - len(suffix) - len(digest) - 1]}~{digest}"
    return original_key + suffix


def resend_refusal(message: OutboundMessage) -> str:
    """Why this message cannot be sent again from the log ("" if it can). Reads no other row."""
    if message.kind in LINK_KINDS:
        return str(
            _(
                "A password-setting link is never sent again: send a new invitation from Trainee accounts, "
                "which makes a fresh link."
            )
        )
    if message.status not in RESENDABLE:
        return str(_("Only a sent or failed message can be sent again."))
    return ""


@transaction.atomic
def resend_message(message: OutboundMessage) -> OutboundMessage:
    """Queue a copy of a sent or failed message, pointing to the first message of its chain.

    Refused (ValidationError) for password-setting links, for a message not sent or failed,
    and while an earlier copy of the same message is still on its way."""
    refusal = resend_refusal(message)
    if refusal:
        raise ValidationError(refusal)
    original = message.resent_from if message.resent_from_id else message
    # Serialise re-sends of one chain, so that "still on its way" is read after the last copy.
    OutboundMessage.objects.select_for_update().filter(pk=original.pk).first()
    latest = chain(original.pk).order_by("-pk").only("pk", "status").first()
    if latest.status in ON_THEIR_WAY:
        raise ValidationError(_("A copy of this message is already on its way."))
    copy, created = OutboundMessage.objects.get_or_create(
        kind=original.kind,
        recipient=original.recipient,
        key=copy_key(original.key, after=latest.pk),
        defaults=_copy_fields(original),
    )
    if created:
        transaction.on_commit(kick_delivery)
    return copy


@transaction.atomic
def retry_failed() -> int:
    """Send again every message whose last attempt failed: one copy per chain, as the Re-send
    button would write it. A chain already re-sent since (its copy queued, sending or sent) is
    left alone, so a second click writes nothing. Password-setting links are left out.

    Returns how many copies are queued (approximate while another retry runs at once)."""
    root = Coalesce(F("resent_from_id"), F("pk"))
    failed_chains = OutboundMessage.objects.filter(status=OutboundMessage.Status.FAILED).values(chain=root)
    latest = (
        OutboundMessage.objects.annotate(chain=root)
        .filter(chain__in=failed_chains)
        .values("chain")
        .annotate(latest=Max("pk"))
        .values("latest")
    )
    last_attempts = (
        OutboundMessage.objects.filter(pk__in=latest, status=OutboundMessage.Status.FAILED)
        .exclude(kind__in=LINK_KINDS)
        .select_related("resent_from")
        .order_by("pk")
    )
    copies = []
    for attempt in last_attempts.iterator(chunk_size=500):
        original = attempt.resent_from or attempt
        copies.append(
            OutboundMessage(
                kind=original.kind,
                recipient=original.recipient,
                key=copy_key(original.key, after=attempt.pk),
                **_copy_fields(original),
            )
        )
    if copies:
        OutboundMessage.objects.bulk_create(copies, ignore_conflicts=True, batch_size=500)
        transaction.on_commit(kick_delivery)
    return len(copies)


def chain(original_id: int):
    """The first message of a chain and every copy of it."""
    return OutboundMessage.objects.filter(Q(pk=original_id) | Q(resent_from_id=original_id))


def _copy_fields(original: OutboundMessage) -> dict:
    # secret_context is not copied: link kinds are refused, and no other kind carries one.
    return {
        "language": original.language,
        "context": original.context,
        "due_at": timezone.now(),
        "resent_from": original,
    }
