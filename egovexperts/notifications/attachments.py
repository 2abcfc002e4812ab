"""Files a message carries, built when it is sent: a registry of builders by kind.

The outbox imports no domain app, so the apps above it register what a kind attaches (the
portal registers the session's calendar event for reminders and change notices). A builder
reads the current state of what the message is about, so the file is as fresh as the mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import TYPE_CHECKING

from django.utils import translation

if TYPE_CHECKING:
    from django.core.mail import EmailMessage

    from .models import OutboundMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


Builder = Callable[["OutboundMessage"], list[Attachment]]

_builders: dict[str, list[Builder]] = {}


def register(kind: str, builder: Builder) -> None:
    builders = _builders.setdefault(kind, [])
    if builder not in builders:  # ready() may run twice (tests, the shell)
        builders.append(builder)


def build(message: OutboundMessage) -> list[Attachment]:
    """The message's files, their text in its language."""
    with translation.override(message.language or None):
        return [attachment for builder in _builders.get(message.kind, []) for attachment in builder(message)]


def attach(email: EmailMessage, message: OutboundMessage) -> EmailMessage:
    for attachment in build(message):
        email.attach(mime_part(attachment))
    return email


def mime_part(attachment: Attachment) -> MIMEBase:
    """The attachment as a MIME part, with the parameters of its type kept
    ("text/calendar; method=PUBLISH" tells mail clients to offer the event)."""
    kind, *parameters = (part.strip() for part in attachment.mimetype.split(";"))
    basetype, subtype = kind.split("/", 1)
    if basetype == "text":
        content = attachment.content
        part = MIMEText(content.decode() if isinstance(content, bytes) else content, subtype, "utf-8")
    else:
        part = MIMEBase(basetype, subtype)
        part.set_payload(attachment.content)
        encoders.encode_base64(part)
    for parameter in parameters:
        name, _sep, value = parameter.partition("=")
        if name.strip().lower() != "charset":
            part.set_param(name.strip(), value.strip())
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part
