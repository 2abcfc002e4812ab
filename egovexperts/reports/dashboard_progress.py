"""The dashboard's figures of each cohort (enrolments, attendance), kept and recomputed only
where the data changed.

Rates per course and the trainees below the completion threshold come from the progress table
(courses/progress.py), which reads every attendance row of a cohort: at 200,000 rows, half a
second for the whole programme. A change (attendance taken, a session moved, an enrolment
withdrawn) touches one cohort, so the figures are kept per cohort in the cache with the time
they were computed and the highest ids of the tables they read. The next computation asks, in
one query, which cohorts have a row past those ids, a history row written since (every save
and delete writes one), or a session that began since (it now counts as held), and recomputes
those alone. History rows are looked for from two minutes before the last computation: a
transaction still open then is found once it has committed.

Everything is recomputed on the first computation of a day, and when something changed that a
cohort cannot be told from cheaply: the import log (an import touches many cohorts at once),
courses and cohorts themselves (rare edits, which may move rows between cohorts), or an id
that went back (a restored database).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import DateTimeField, Exists, IntegerField, OuterRef, Q, QuerySet
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from courses.models import Attendance, Course, Session
from courses.progress import Window, progress_table
from egovexperts.core.prepared import PreparedQuery, Slot
from egovexperts.imports.models import ImportRun

CACHE_KEY = "reports:dashboard:progress"
CACHE_SECONDS = 36 * 3600
KEPT = 20  # behind rows kept per cohort: the dashboard shows the first 20 of all cohorts
OPEN_TRANSACTIONS = datetime.timedelta(minutes=2)


@dataclass
class CohortFigures:
    rates: dict[int, tuple[int, int]] = field(default_factory=dict)  # course id -> (attended, counted)
    behind: list[tuple] = field(default_factory=list)  # (at risk, -percent, trainee id, course id, progress)
    behind_count: int = 0
    at_risk_count: int = 0
    enrolments: Counter = field(default_factory=Counter)  # by status


@dataclass
class State:
    marks: dict[str, object]
    now: datetime.datetime
    cohorts: dict[int, CohortFigures]


def read_marks() -> dict[str, object]:
    """Highest id of each table the figures read, of the history of courses and cohorts, and of
    the import log (one query)."""
    tables = [Attendance, Session, Enrolment, Course, Cohort, ImportRun]
    # Table and column names come from the models' own metadata, never from input (hence nosec).
    columns = {m._meta.model_name: f"SELECT MAX(id) FROM {m._meta.db_table}" for m in tables}  # nosec B608
    for model in (Course, Cohort):
        history = model.history.model._meta.db_table
        columns[f"{model._meta.model_name}_history"] = f"SELECT MAX(history_id) FROM {history}"  # nosec B608
    columns["import_reverted"] = f"SELECT MAX(reverted_at) FROM {ImportRun._meta.db_table}"  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({sql})" for sql in columns.values()))
        return {name: value or 0 for name, value in zip(columns, cursor.fetchone(), strict=True)}


def _recompute_all(state: State | None, marks: dict, now: datetime.datetime) -> bool:
    if state is None or now < state.now or timezone.localdate(state.now) != timezone.localdate(now):
        return True
    rare = ("importrun", "import_reverted", "course", "course_history", "cohort", "cohort_history")
    if any(marks[name] != state.marks[name] for name in rare):
        return True
    return any(marks[name] < state.marks[name] for name in ("attendance", "session", "enrolment"))


def _changed() -> QuerySet:
    """Cohorts with a new row, a history row written since a time, or a session begun since."""
    cohort, since = OuterRef("pk"), Slot("since", DateTimeField())
    sessions, enrolments = Session.history.model.objects, Enrolment.history.model.objects
    # A session or enrolment changed since: every cohort any version of it belonged to.
    changed_sessions = sessions.filter(history_date__gt=since).values("id")
    changed_enrolments = enrolments.filter(history_date__gt=since).values("id")
    attendance = Attendance.objects.filter(pk__gt=Slot("attendance", IntegerField()), session__course__cohort=cohort)
    attendance_history = Attendance.history.model.objects.filter(history_date__gt=since)
    started = Session.objects.filter(
        starts_at__gt=Slot("after", DateTimeField()), starts_at__lte=Slot("now", DateTimeField())
    )
    changed = (
        Q(Exists(attendance))
        | Q(Exists(attendance_history.filter(session__course__cohort=cohort)))
        | Q(Exists(Session.objects.filter(pk__gt=Slot("session", IntegerField()), course__cohort=cohort)))
        | Q(Exists(sessions.filter(id__in=changed_sessions, course__cohort=cohort)))
        | Q(Exists(Enrolment.objects.filter(pk__gt=Slot("enrolment", IntegerField()), cohort=cohort)))
        | Q(Exists(enrolments.filter(id__in=changed_enrolments, cohort=cohort)))
        | Q(Exists(started.filter(course__cohort=cohort)))
    )
    return Cohort.objects.filter(changed).values_list("pk")


# Built once per process: the ORM takes longer to build this query than the database to run it.
CHANGED = PreparedQuery(_changed)


def _changed_cohorts(state: State, now: datetime.datetime) -> set[int]:
    """Cohorts changed since the figures were kept; history rows are looked for from a little
    earlier (OPEN_TRANSACTIONS). One query."""
    rows = CHANGED.rows(
        since=state.now - OPEN_TRANSACTIONS,
        attendance=state.marks["attendance"],
        session=state.marks["session"],
        enrolment=state.marks["enrolment"],
        after=state.now,
        now=now,
    )
    return {pk for (pk,) in rows}


def _compute(cohort_ids: set[int] | None, courses: dict[int, int], now: datetime.datetime) -> dict[int, CohortFigures]:
    """Figures of the given cohorts (None: all): their enrolments and progress table."""
    enrolments = Enrolment.objects.all()
    if cohort_ids is not None:
        enrolments = enrolments.filter(cohort_id__in=cohort_ids)
    cohort_of = {pk: cohort for pk, cohort in courses.items() if cohort_ids is None or cohort in cohort_ids}
    figures = {pk: CohortFigures() for pk in {*(cohort_ids or ()), *cohort_of.values()}}
    windows, active = [], set()
    rows = enrolments.values_list("trainee_id", "cohort_id", "enrolled_on", "ended_on", "status")
    for trainee_id, cohort_id, enrolled_on, ended_on, status in rows:
        windows.append(Window(trainee_id, cohort_id, enrolled_on, ended_on))
        figures.setdefault(cohort_id, CohortFigures()).enrolments[status] += 1
        if status == Enrolment.Status.ACTIVE:
            active.add((trainee_id, cohort_id))
    for (trainee_id, course_id), progress in progress_table(windows, now=now).items():
        cohort_id = cohort_of[course_id]
        cohort = figures[cohort_id]
        attended, counted = cohort.rates.get(course_id, (0, 0))
        cohort.rates[course_id] = (attended + progress.attended, counted + progress.counted)
        if (trainee_id, cohort_id) not in active:  # behind in a cohort's courses while enrolled in it
            continue
        cohort.at_risk_count += progress.at_risk
        if progress.percent is not None and progress.percent < progress.required_percent:
            cohort.behind_count += 1
            cohort.behind.append((progress.at_risk, -progress.percent, trainee_id, course_id, progress))
    for cohort in figures.values():
        cohort.behind = sorted(cohort.behind, reverse=True)[:KEPT]
    return figures


def cohort_figures(
    *, now: datetime.datetime, cohort_ids: set[int], courses: dict[int, int]
) -> dict[int, CohortFigures]:
    """Figures of the cohorts that exist (`cohort_ids`, and `courses`: course id -> cohort id),
    recomputing only those changed since they were kept."""
    marks = read_marks()  # before the figures: a change made meanwhile is found next time
    state = cache.get(CACHE_KEY)
    if _recompute_all(state, marks, now):
        figures = _compute(None, courses, now)
    else:
        changed = _changed_cohorts(state, now)
        figures = {pk: kept for pk, kept in state.cohorts.items() if pk in cohort_ids and pk not in changed}
        if changed:
            figures.update(_compute(changed, courses, now))
    cache.set(CACHE_KEY, State(marks, now, figures), CACHE_SECONDS)
    return figures
