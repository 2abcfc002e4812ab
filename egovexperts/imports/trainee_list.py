"""Trainee lists: trainees, their current post, cohort and retention commitment, keyed by email.

Everything the rows refer to is loaded in a fixed number of queries before the first row
is looked at (agencies, cohorts, units, and the trainees, open posts, enrolments and
commitments of the file's emails); new rows are written with bulk inserts, and their history
rows with them. Only a changed post of a known trainee goes through record_assignment, one row
at a time, because it closes the open post and may break a commitment.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Enrolment
from trainees.accounts import invitation_refusals, invite_trainee
from trainees.agencies import AgencyDirectory, compact, resolve_unit
from trainees.commitments import default_end
from trainees.models import Agency, Assignment, RetentionCommitment, Trainee, Unit, assignment_search_text
from trainees.services import record_assignment

from .files import Table
from .history import Author
from .models import Outcome
from .plans import Changes, Plan, RowResult, read_rows
from .resources import TraineeListResource

CHUNK = 2000


@dataclass
class Post:
    agency: Agency
    unit: Unit | None
    unit_key: str  # compact name of a unit to create, when unit is None
    unit_name: str
    position: str
    note: str


# Rows already in the database, read as plain values: building 10,000 model instances
# would cost more than planning the whole file.
@dataclass(slots=True)
class KnownTrainee:
    pk: int
    email: str
    full_name: str
    phone: str


@dataclass(slots=True)
class OpenPost:
    pk: int
    trainee_id: int
    agency_id: int
    unit_id: int | None
    position: str
    starts_on: datetime.date
    agency: Agency
    unit_name: str


@dataclass(slots=True)
class KnownCommitment:
    pk: int
    trainee_id: int
    agency_id: int
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass(slots=True)
class NewTrainee:
    """A trainee to create; a full model instance is built only when it is written."""

    full_name: str
    email: str
    phone: str
    pk: int | None = None
    instance: Trainee | None = None


@dataclass
class Work:
    """Writes collected while planning, carried out together on confirm."""

    new_trainees: list[NewTrainee] = field(default_factory=list)
    trainee_updates: list[tuple[KnownTrainee, dict]] = field(default_factory=list)
    new_units: dict[tuple[int, str], Unit] = field(default_factory=dict)
    new_posts: list[tuple[KnownTrainee | NewTrainee, Post, datetime.date]] = field(default_factory=list)
    corrected_posts: list[tuple[OpenPost, Post]] = field(default_factory=list)
    changed_posts: list[tuple[KnownTrainee, Post, str]] = field(default_factory=list)
    enrolments: list[tuple[KnownTrainee | NewTrainee, Cohort, Agency]] = field(default_factory=list)
    commitments: list[tuple[KnownTrainee | NewTrainee, Agency, datetime.date]] = field(default_factory=list)
    commitment_updates: list[tuple[KnownCommitment, datetime.date]] = field(default_factory=list)
    # Lookups repeated by thousands of rows, worked out once.
    resolved_units: dict[tuple[int, str], Unit | None] = field(default_factory=dict)
    unit_notes: dict[tuple[int, str], str] = field(default_factory=dict)
    agency_notes: dict[int, str] = field(default_factory=dict)


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def restored(entry: dict) -> None:
    """After a revert put posts back: fold their search text again (a corrected post gets its
    agency, unit and position back), and their trainees'."""
    for chunk in _chunks([pk for pk, *_pairs in entry["rows"]]):
        Assignment.objects.filter(pk__in=chunk).refold()


def plan(table: Table, *, invite: bool = False, today: datetime.date | None = None, **options) -> Plan:
    today = today or timezone.localdate()
    directory = AgencyDirectory.load()
    resource = TraineeListResource(directory=directory, cohorts=list(Cohort.objects.all()))
    results, cleaned, notes = read_rows(resource, table)
    for result, values in zip(results, cleaned, strict=True):
        result.key = values.get("email") or ""

    _check_duplicates(results, cleaned)
    emails = [values["email"] for values in cleaned if values.get("email")]
    existing = _existing(emails)
    open_posts, enrolled, commitments = _related([trainee.pk for trainee in existing.values()], directory)
    agency_ids = {values["agency"].pk for values in cleaned if values.get("agency")}
    agency_ids |= {post.agency_id for post in open_posts.values()}
    units = defaultdict(list)
    for unit in Unit.objects.filter(agency_id__in=agency_ids):
        units[unit.agency_id].append(unit)

    # An invitation would hand an existing account to whoever reads the typed address: a new
    # trainee whose address is an account's that cannot be theirs (staff, in use) is a row error.
    refused = invitation_refusals([email for email in emails if email not in existing]) if invite else {}

    work = Work()
    for result, values in zip(results, cleaned, strict=True):
        if values.get("email") in refused:
            result.error(refused[values["email"]])
        if result.outcome == Outcome.ERROR:
            continue
        _plan_row(result, values, existing, open_posts, enrolled, commitments, units, directory, work, today)
    return Plan(
        rows=results,
        notes=notes,
        write=lambda changes, author: _write(work, changes, author, invite=invite, today=today),
    )


def _check_duplicates(results: list[RowResult], cleaned: list[dict]) -> None:
    first_line: dict[str, RowResult] = {}
    for result, values in zip(results, cleaned, strict=True):
        email = values.get("email")
        if not email:
            continue
        if email in first_line:
            first = first_line[email]
            message = _("email %(email)s appears on rows %(first)s and %(second)s.") % {
                "email": email,
                "first": first.line,
                "second": result.line,
            }
            result.error(message)
            if message not in first.errors:
                first.error(message)
        else:
            first_line[email] = result


def _existing(emails: list[str]) -> dict[str, KnownTrainee]:
    found = {}
    for chunk in _chunks(emails):
        for row in Trainee.objects.filter(email__in=chunk).values_list("pk", "email", "full_name", "phone"):
            found[row[1].lower()] = KnownTrainee(*row)
    return found


def _related(trainee_ids: list[int], directory: AgencyDirectory):
    open_posts, enrolled, commitments = {}, set(), defaultdict(list)
    fields = ("pk", "trainee_id", "agency_id", "unit_id", "position", "starts_on", "unit__name")
    for chunk in _chunks(trainee_ids):
        posts = Assignment.objects.filter(trainee_id__in=chunk, ends_on__isnull=True).values_list(*fields)
        for *values, unit_name in posts:
            open_posts[values[1]] = OpenPost(*values, agency=directory.by_id[values[2]], unit_name=unit_name or "")
        enrolled.update(Enrolment.objects.filter(trainee_id__in=chunk).values_list("trainee_id", "cohort_id"))
        rows = RetentionCommitment.objects.filter(trainee_id__in=chunk).values_list(
            "pk", "trainee_id", "agency_id", "starts_on", "ends_on"
        )
        for row in rows:
            commitments[row[1]].append(KnownCommitment(*row))
    return open_posts, enrolled, commitments


def _plan_row(result, values, existing, open_posts, enrolled, commitments, units, directory, work, today):
    email = values["email"]
    trainee = existing.get(email)
    if trainee is None:
        trainee = NewTrainee(values["full_name"], email, values.get("phone", ""))
        work.new_trainees.append(trainee)
        result.outcome = Outcome.NEW
    else:
        updates = {}
        for name, what in (("full_name", _("Full name")), ("phone", _("Phone"))):
            new = values.get(name)
            if new and new != getattr(trainee, name):
                result.change(what, getattr(trainee, name), new)
                updates[name] = new
        if updates:
            work.trainee_updates.append((trainee, updates))

    agency = values.get("agency")
    current = open_posts.get(trainee.pk) if trainee.pk else None
    post = None
    if agency is not None:
        post = _post(result, values, agency, units, directory, work)
        if post is None:
            return
        _plan_post(result, trainee, current, post, work, values, today)
    elif values.get("position") or values.get("unit"):
        result.error(_("a position or unit is given without its agency."))
        return
    committing = agency or (current.agency if current else None)

    cohort = values.get("cohort")
    if cohort is not None:
        if committing is None:
            result.error(_("the cohort %(cohort)s needs the nominating agency.") % {"cohort": cohort})
        elif (trainee.pk, cohort.pk) not in enrolled:
            work.enrolments.append((trainee, cohort, committing))
            if result.outcome != Outcome.NEW:
                result.change(_("Cohort"), "", cohort.name)

    starts_on = values.get("commitment_starts_on")
    if starts_on is not None:
        if committing is None:
            result.error(_("the commitment needs the committing agency."))
            return
        held = commitments.get(trainee.pk, [])
        same = [c for c in held if c.agency_id == committing.pk]
        if any(c.starts_on == starts_on for c in held):
            pass  # the commitment already recorded, even if the trainee has moved since
        elif not same:
            work.commitments.append((trainee, committing, starts_on))
            if result.outcome != Outcome.NEW:
                result.change(_("Commitment start"), None, starts_on)
        elif same[0].starts_on != starts_on:
            work.commitment_updates.append((same[0], starts_on))
            result.change(_("Commitment start"), same[0].starts_on, starts_on)


def _post(result, values, agency, units, directory, work) -> Post | None:
    position = values.get("position") or ""
    if not position:
        result.error(_("the position is empty."))
        return None
    if agency.pk not in work.agency_notes:
        successor = directory.in_force(agency)
        work.agency_notes[agency.pk] = (
            _("%(agency)s no longer exists; its successor is %(successor)s.")
            % {"agency": agency.name_vi, "successor": successor.name_vi}
            if successor.pk != agency.pk
            else ""
        )
    note = work.agency_notes[agency.pk]
    if note:
        result.notes.append(note)
    unit_name = values.get("unit") or ""
    unit, unit_key = None, ""
    if unit_name:
        cache_key = (agency.pk, unit_name)
        if cache_key not in work.resolved_units:
            work.resolved_units[cache_key] = resolve_unit(agency, unit_name, units.get(agency.pk, []))
        unit = work.resolved_units[cache_key]
        if unit is None:
            unit_key = compact(unit_name)
            if (agency.pk, unit_key) not in work.new_units:
                work.new_units[(agency.pk, unit_key)] = Unit(agency=agency, name=unit_name)
            result.notes.append(
                _("New unit: %(unit)s (%(agency)s).") % {"unit": unit_name, "agency": agency.short_name}
            )
    return Post(agency, unit, unit_key, unit_name, position, note)


def _plan_post(result, trainee, current, post: Post, work: Work, values, today) -> None:
    if current is None:
        starts_on = min(filter(None, [values.get("commitment_starts_on"), today]))
        work.new_posts.append((trainee, post, starts_on))
        if result.outcome != Outcome.NEW:
            result.change(_("Post"), None, f"{post.position}, {post.agency.short_name}")
        return
    unit_id = post.unit.pk if post.unit else None
    if (current.agency_id, current.unit_id, current.position) == (post.agency.pk, unit_id, post.position) and not (
        post.unit_key
    ):
        return
    old = ", ".join(filter(None, [current.position, current.unit_name, current.agency.short_name]))
    result.change(_("Post"), old, ", ".join(filter(None, [post.position, post.unit_name, post.agency.short_name])))
    if current.starts_on >= today:
        # The open post began today (an earlier import of the same day): correct it, a zero-day post is no history.
        work.corrected_posts.append((current, post))
    else:
        reason = Assignment.Reason.PROMOTED if current.agency_id == post.agency.pk else Assignment.Reason.TRANSFERRED
        work.changed_posts.append((trainee, post, reason))


def _unit_of(post: Post, work: Work) -> Unit | None:
    return post.unit or (work.new_units[(post.agency.pk, post.unit_key)] if post.unit_key else None)


def _write(work: Work, changes: Changes, author: Author, *, invite: bool, today: datetime.date) -> None:
    units = list(work.new_units.values())
    Unit.objects.bulk_create(units)  # units keep no history
    changes.record_created(units, ["agency_id", "name"])
    _write_trainees(work, changes, author)
    _write_posts(work, changes, author, today=today)
    _write_enrolments_and_commitments(work, changes, author)
    if invite:
        started = timezone.now()
        for new in work.new_trainees:
            invite_trainee(new.instance)  # links the account: a history row each
        author.sign(Trainee, [new.pk for new in work.new_trainees], since=started)


def _write_trainees(work: Work, changes: Changes, author: Author) -> None:
    created = []
    for new in work.new_trainees:
        search_text, sort_key = Trainee.index_fields(new.full_name, new.email)
        new.instance = Trainee(
            full_name=new.full_name, email=new.email, phone=new.phone, search_text=search_text, sort_key=sort_key
        )
        created.append(new.instance)
    author.create(Trainee, created)
    for new in work.new_trainees:
        new.pk = new.instance.pk
    changes.record_created(created, ["full_name", "email", "phone"])
    updated = []
    for known, updates in work.trainee_updates:
        changes.record_update(known, updates, model=Trainee)
        values = {"full_name": known.full_name, "phone": known.phone, **updates}
        search_text, sort_key = Trainee.index_fields(values["full_name"], known.email)
        updated.append(Trainee(pk=known.pk, email=known.email, search_text=search_text, sort_key=sort_key, **values))
    Trainee.objects.bulk_update(updated, ["full_name", "phone", "search_text", "sort_key"], batch_size=CHUNK)
    author.record_updated(Trainee, [trainee.pk for trainee in updated])


def _write_posts(work: Work, changes: Changes, author: Author, *, today: datetime.date) -> None:
    search_texts: dict[tuple, str] = {}  # thousands of rows share a few (position, agency, unit)
    posts = []
    for trainee, post, starts_on in work.new_posts:
        unit = _unit_of(post, work)
        key = (post.position, post.agency.pk, unit.pk if unit else None)
        if key not in search_texts:
            search_texts[key] = assignment_search_text(post.position, post.agency, unit)
        posts.append(
            Assignment(
                trainee_id=trainee.pk,
                agency_id=post.agency.pk,
                unit_id=key[2],
                position=post.position,
                starts_on=starts_on,
                note=post.note,
                search_text=search_texts[key],
            )
        )
    author.create(Assignment, posts)
    fields = ["trainee_id", "agency_id", "unit_id", "position", "starts_on", "ends_on"]
    changes.record_created(posts, fields)
    corrected = []
    for current, post in work.corrected_posts:
        unit = _unit_of(post, work)
        new = {"agency_id": post.agency.pk, "unit_id": unit.pk if unit else None, "position": post.position}
        changes.record_update(current, new, model=Assignment)
        search_text = assignment_search_text(post.position, post.agency, unit)
        corrected.append(Assignment(pk=current.pk, **new, note=post.note, search_text=search_text))
    corrected_fields = ["agency_id", "unit_id", "position", "note", "search_text"]
    Assignment.objects.bulk_update(corrected, corrected_fields, batch_size=CHUNK)
    author.record_updated(Assignment, [post.pk for post in corrected])
    # Posts written in bulk bypass trainees.services: copy them into their trainees' search.
    reindex = [post.trainee_id for post in posts] + [current.trainee_id for current, _post in work.corrected_posts]
    for chunk in _chunks(reindex):
        Trainee.objects.filter(pk__in=chunk).index_posts()  # derived columns: no history
    started, moved = timezone.now(), []
    for known, post, reason in work.changed_posts:
        trainee = Trainee.objects.get(pk=known.pk)
        closing = Assignment.objects.get(trainee=trainee, ends_on__isnull=True)
        opened = record_assignment(
            trainee,
            agency=post.agency,
            unit=_unit_of(post, work),
            position=post.position,
            starts_on=today,
            reason=reason,
            note=post.note,
        )
        closing.refresh_from_db()
        changes.record_updated(
            Assignment, closing.pk, {"ends_on": (None, closing.ends_on), "end_reason": ("", closing.end_reason)}
        )
        changes.record_created([opened], fields)
        moved += [closing.pk, opened.pk]
    author.sign(Assignment, moved, since=started)


def _write_enrolments_and_commitments(work: Work, changes: Changes, author: Author) -> None:
    enrolments = [
        Enrolment(cohort_id=cohort.pk, trainee_id=trainee.pk, nominated_by_id=agency.pk, enrolled_on=cohort.starts_on)
        for trainee, cohort, agency in work.enrolments
    ]
    author.create(Enrolment, enrolments)
    changes.record_created(enrolments, ["cohort_id", "trainee_id", "status", "ended_on"])

    commitments = [
        RetentionCommitment(
            trainee_id=trainee.pk, agency_id=agency.pk, starts_on=starts_on, ends_on=default_end(starts_on)
        )
        for trainee, agency, starts_on in work.commitments
    ]
    author.create(RetentionCommitment, commitments)
    changes.record_created(commitments, ["trainee_id", "agency_id", "starts_on", "ends_on", "waived_on"])
    updated = []
    for known, starts_on in work.commitment_updates:
        new = {"starts_on": starts_on, "ends_on": default_end(starts_on)}
        changes.record_update(known, new, model=RetentionCommitment)
        updated.append(RetentionCommitment(pk=known.pk, **new))
    RetentionCommitment.objects.bulk_update(updated, ["starts_on", "ends_on"], batch_size=CHUNK)
    author.record_updated(RetentionCommitment, [commitment.pk for commitment in updated])
