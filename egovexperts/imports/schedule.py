"""Schedules: the sessions of courses; importing a schedule again updates them.

A row updates the session of its course that starts at the row's start. Failing that, it moves
the one session of the course with the row's title that no other row names (the preview shows
the new start), and otherwise it adds a session. The rules of courses/rules.py apply as in the
workspace: a cohort attends one session at a time, a capacity holds the cohort's active trainees.
A change trainees care about (times, kind, venue, link) reaches them as a reschedule in the
workspace does: a new calendar SEQUENCE and `session_changed` notices, written with the import.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts.models import Enrolment
from courses import rules
from courses.models import Course, Session
from courses.services import enqueue_change_notices
from egovexperts.core.text import fold

from .files import Table
from .history import Author
from .models import Outcome
from .plans import Changes, Plan, RowResult, read_rows
from .resources import ScheduleResource

# What a row may write, with its label in the preview.
_LABELS = {
    "title": gettext_lazy("Title"),
    "starts_at": gettext_lazy("Start"),
    "ends_at": gettext_lazy("End"),
    "kind": gettext_lazy("Kind"),
    "venue": gettext_lazy("Venue"),
    "meeting_url": gettext_lazy("Link"),
    "capacity": gettext_lazy("Capacity"),
}
# Optional columns and what a new session gets without them; an existing session keeps its own.
_DEFAULTS = {"kind": Session.Kind.ONLINE, "venue": "", "meeting_url": "", "capacity": None}
# What trainees are told about; a new title only updates the calendar event.
_NOTIFIED = {"starts_at", "ends_at", "kind", "venue", "meeting_url"}
_TIMES = {"starts_at", "ends_at"}

Row = tuple[RowResult, dict]


def _match(rows: list[Row], sessions: list[Session]) -> dict[int, Session]:
    """The existing session each row updates, by line of the file."""
    by_start: dict[tuple, Session] = {}
    by_title: dict[tuple, list[Session]] = defaultdict(list)
    for session in sessions:
        key = (session.course_id, session.starts_at)
        if key not in by_start or by_start[key].is_cancelled:
            by_start[key] = session
        if not session.is_cancelled:
            by_title[(session.course_id, fold(session.title))].append(session)
    matched, unmatched = {}, []
    for result, values in rows:
        session = by_start.get((values["course"].pk, values["starts_at"]))
        if session is not None and session.is_cancelled and _changes(values, session):
            session = None  # a cancelled session stays as it is: a different row in its place is a new one
        if session is None:
            unmatched.append((result, (values["course"].pk, fold(values["title"]))))
        else:
            matched[result.line] = session
    claimed = {session.pk for session in matched.values()}
    named = Counter(title for _result, title in unmatched)
    for result, title in unmatched:
        free = [session for session in by_title.get(title, []) if session.pk not in claimed]
        if len(free) == 1 and named[title] == 1:
            matched[result.line] = free[0]
    return matched


def _active_enrolments(cohort_ids) -> dict[int, list]:
    """Active enrolments by cohort: their number bounds capacities, their days say who is notified."""
    found = defaultdict(list)
    active = Enrolment.objects.filter(cohort_id__in=cohort_ids, status=Enrolment.Status.ACTIVE)
    for row in active.values_list("cohort_id", "enrolled_on", "ended_on", "status", named=True):
        found[row.cohort_id].append(row)
    return found


def _wanted(values: dict, session: Session | None) -> dict:
    wanted = {"title": values["title"], "starts_at": values["starts_at"], "ends_at": values["ends_at"]}
    for name, default in _DEFAULTS.items():
        if name in values:
            wanted[name] = default if values[name] in (None, "") else values[name]
        elif session is None:
            wanted[name] = default
    return wanted


def _changes(values: dict, session: Session) -> dict:
    return {name: value for name, value in _wanted(values, session).items() if getattr(session, name) != value}


def _refusal(result: RowResult, values: dict, seen: dict) -> str | None:
    """What is wrong with the row on its own, or with another row of the file."""
    if values["ends_at"] <= values["starts_at"]:
        return _("the session ends before it starts.")
    url = values.get("meeting_url") or ""
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            return _("'%(value)s' is not a valid link.") % {"value": url}
    key = (values["course"].pk, values["starts_at"])
    if key in seen:
        return _("the same session appears on rows %(first)s and %(second)s.") % {
            "first": seen[key].line,
            "second": result.line,
        }
    seen[key] = result
    return None


def _notice_note(result: RowResult, enrolments: list, starts_at: datetime.datetime) -> None:
    day = rules.day_of(starts_at)
    told = sum(1 for enrolment in enrolments if rules.told_of_changes(enrolment, day))
    if told:
        message = ngettext(
            "%(count)s trainee will be notified of the change.",
            "%(count)s trainees will be notified of the change.",
            told,
        )
        result.notes.append(message % {"count": told})


def _plan_row(result: RowResult, values: dict, session: Session | None, *, booked: list, enrolments: list):
    """The session the row adds, or the changes it makes to `session`; None if it is refused."""
    wanted = _wanted(values, session)
    changed = {} if session is None else _changes(values, session)
    candidate = Session(course=values["course"], **wanted)
    if session is not None:
        candidate.pk, candidate.status = session.pk, session.status
    try:
        rules.check_no_clash(candidate, booked)
        rules.check_capacity(wanted.get("capacity"), len(enrolments))
    except ValidationError as error:
        for message in error.messages:
            result.error(message)
        return None
    booked.append(candidate)
    if session is None:
        result.outcome = Outcome.NEW
        return candidate
    for name, value in changed.items():
        result.change(_LABELS[name], getattr(session, name), value)
    if _NOTIFIED & changed.keys():
        _notice_note(result, enrolments, wanted["starts_at"])
    if _TIMES & changed.keys() and session.status == Session.Status.SCHEDULED:
        changed["status"] = Session.Status.RESCHEDULED  # as a reschedule in the workspace
    return changed


def plan(table: Table, **options) -> Plan:
    resource = ScheduleResource(courses=list(Course.objects.all()))
    results, cleaned, notes = read_rows(resource, table)
    rows = [
        (result, values) for result, values in zip(results, cleaned, strict=True) if result.outcome != Outcome.ERROR
    ]
    cohort_ids = {values["course"].cohort_id for _result, values in rows}
    sessions = list(Session.objects.filter(course__cohort_id__in=cohort_ids).select_related("course"))
    matched = _match(rows, sessions)
    active = _active_enrolments(cohort_ids)
    # The sessions each cohort keeps where they are; every accepted row then books its own.
    booked = defaultdict(list)
    moved = {session.pk for session in matched.values()}
    for session in sessions:
        if session.pk not in moved:
            booked[session.course.cohort_id].append(session)
    seen: dict[tuple, RowResult] = {}
    new, updates = [], []
    for result, values in rows:
        course, session = values["course"], matched.get(result.line)
        result.key = f"{course.code} {values['title']}"
        refusal = _refusal(result, values, seen)
        if refusal:
            result.error(refusal)
            continue
        planned = _plan_row(
            result, values, session, booked=booked[course.cohort_id], enrolments=active[course.cohort_id]
        )
        if isinstance(planned, Session):
            new.append(planned)
        elif planned:
            updates.append((session, planned, bool(_NOTIFIED & planned.keys())))

    def write(changes: Changes, author: Author) -> None:
        author.create(Session, new)
        changes.record_created(new, ["course_id", "title", "starts_at", "ends_at", "status"])
        notices = []
        for session, changed, notify in updates:
            changes.record_update(session, changed)
            previous = {name: getattr(session, name) for name in changed}  # the notice says old -> new
            for name, value in changed.items():
                setattr(session, name, value)
            session.sequence += 1  # calendar clients replace an event only when its SEQUENCE grows
            if notify:
                notices.append((session, previous))
        fields = [*_LABELS, "status", "sequence"]
        author.update(Session, [session for session, *_rest in updates], fields)
        enqueue_change_notices(notices)

    return Plan(rows=results, notes=notes, write=write)


def restored(entry: dict) -> None:
    """After a revert put sessions back as they were: calendars and trainees learn of it too.

    `entry` is what the run recorded of its session updates (see plans.Changes).
    """
    fields = entry["fields"]
    previous_starts = {}
    for pk, *pairs in entry["rows"]:
        touched = {name for name, pair in zip(fields, pairs, strict=True) if pair is not None}
        start = pairs[fields.index("starts_at")] if "starts_at" in touched else None
        previous_starts[pk] = (start[1] if start else None, bool(_NOTIFIED & touched))
    Session.objects.filter(pk__in=list(previous_starts)).update(sequence=F("sequence") + 1)
    notices = []
    for session in Session.objects.filter(pk__in=list(previous_starts)).select_related("course"):
        start, notify = previous_starts[session.pk]
        if notify:
            notices.append((session, datetime.datetime.fromisoformat(start) if start else session.starts_at))
    enqueue_change_notices(notices)
