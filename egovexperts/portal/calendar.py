"""iCalendar (RFC 5545) documents of sessions: the personal feed and single-event downloads.

Times are written in UTC, which every calendar client converts to its own zone. Each session
keeps one UID for life and its SEQUENCE grows with every reschedule or cancellation, so a
subscribed Google or Outlook calendar updates the event instead of adding a second one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from courses.models import Session
from egovexperts.notifications.attachments import Attachment

PRODID = "-//egovexperts//Programme schedule//VI"


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@egovexperts"


def session_event(session: Session, *, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
    event.add("dtend", session.ends_at.astimezone(datetime.UTC))
    event.add("sequence", session.sequence)
    event.add("summary", f"{session.course.code}: {session.title}")
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    location = session.venue or session.meeting_url
    if location:
        event.add("location", location)
    if session.meeting_url:
        event.add("url", session.meeting_url)
    lines = [session.course.title, f"{_('Kind')}: {session.get_kind_display()}"]
    if session.lecturers:
        lines.append(f"{_('Lecturers')}: {session.lecturers}")
    if session.meeting_url:
        lines.append(f"{_('Meeting link')}: {session.meeting_url}")
    event.add("description", "\n".join(lines))
    return event


def calendar_document(sessions: Iterable[Session], *, name: str) -> bytes:
    """The iCalendar text of the sessions (each needs its course loaded)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for session in sessions:
        calendar.add_component(session_event(session, stamp=stamp))
    return calendar.to_ical()


def session_attachment(message) -> list[Attachment]:
    """The .ics file a reminder or change notice carries: the session as it stands when the
    message is sent (a cancelled one with STATUS:CANCELLED and its new SEQUENCE)."""
    session = Session.objects.select_related("course").filter(pk=message.context.get("session_id")).first()
    if session is None:
        return []
    content = calendar_document([session], name=f"{session.course.code}: {session.title}")
    return [Attachment(f"session-{session.pk}.ics", content, "text/calendar; method=PUBLISH; charset=utf-8")]
