"""Schedules: the sessions of courses, keyed by course and start; re-importing updates them."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course, Session

from .files import Table
from .models import Outcome
from .plans import Changes, Plan, RowResult, read_rows
from .resources import ScheduleResource

_FIELDS = {"title": "Title", "ends_at": "End", "kind": "Kind", "venue": "Venue", "meeting_url": "Link"}


def _clash(sessions: list[Session], course, starts_at, ends_at) -> Session | None:
    """A session of the cohort overlapping these times, other than the one this row updates."""
    for session in sessions:
        same = session.course_id == course.pk and session.starts_at == starts_at
        if not same and session.starts_at < ends_at and session.ends_at > starts_at:
            return session
    return None


def plan(table: Table, **options) -> Plan:
    resource = ScheduleResource(courses=list(Course.objects.all()))
    results, cleaned, notes = read_rows(resource, table)
    course_ids = {values["course"].pk for values in cleaned if values.get("course")}
    existing = {(s.course_id, s.starts_at): s for s in Session.objects.filter(course_id__in=course_ids)}
    cohort_ids = {values["course"].cohort_id for values in cleaned if values.get("course")}
    # A cohort attends one session at a time (the rule of courses.services), checked here in memory.
    booked = defaultdict(list)
    cohort_sessions = Session.objects.filter(course__cohort_id__in=cohort_ids).exclude(status=Session.Status.CANCELLED)
    for session in cohort_sessions.select_related("course"):
        booked[session.course.cohort_id].append(session)
    labels = {name: _(text) for name, text in _FIELDS.items()}
    seen: dict[tuple, RowResult] = {}
    new, updates = [], []
    for result, values in zip(results, cleaned, strict=True):
        if result.outcome == Outcome.ERROR:
            continue
        course, starts_at, ends_at = values["course"], values["starts_at"], values["ends_at"]
        result.key = f"{course.code} {values['title']}"
        if ends_at <= starts_at:
            result.error(_("the session ends before it starts."))
            continue
        url = values.get("meeting_url") or ""
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                result.error(_("'%(value)s' is not a valid link.") % {"value": url})
                continue
        key = (course.pk, starts_at)
        if key in seen:
            result.error(
                _("the same session appears on rows %(first)s and %(second)s.")
                % {"first": seen[key].line, "second": result.line}
            )
            continue
        seen[key] = result
        clash = _clash(booked[course.cohort_id], course, starts_at, ends_at)
        if clash is not None:
            result.error(
                _("the cohort already has '%(title)s' (%(course)s) from %(start)s to %(end)s at that time.")
                % {
                    "title": clash.title,
                    "course": clash.course.code,
                    "start": f"{timezone.localtime(clash.starts_at):%d/%m/%Y %H:%M}",
                    "end": f"{timezone.localtime(clash.ends_at):%H:%M}",
                }
            )
            continue
        booked[course.cohort_id].append(
            Session(course=course, title=values["title"], starts_at=starts_at, ends_at=ends_at)
        )
        wanted = {
            "title": values["title"],
            "ends_at": ends_at,
            "kind": values["kind"],
            "venue": values.get("venue") or "",
            "meeting_url": url,
        }
        session = existing.get(key)
        if session is None:
            result.outcome = Outcome.NEW
            new.append(Session(course=course, starts_at=starts_at, **wanted))
            continue
        changed = {name: value for name, value in wanted.items() if getattr(session, name) != value}
        for name, value in changed.items():
            result.change(labels[name], getattr(session, name), value)
        if changed:
            updates.append((session, changed))

    def write(changes: Changes) -> None:
        Session.objects.bulk_create(new, batch_size=2000)
        changes.record_created(new, ["course_id", "title", "starts_at", "ends_at", "status"])
        for session, changed in updates:
            changes.record_update(session, changed)
            for name, value in changed.items():
                setattr(session, name, value)
            session.sequence += 1  # calendar clients replace an event only when its SEQUENCE grows
        Session.objects.bulk_update([s for s, _c in updates], [*_FIELDS, "sequence"], batch_size=2000)

    return Plan(rows=results, notes=notes, write=write)
