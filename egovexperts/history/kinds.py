"""The records whose versions organizers see, the service that restores each, and which of them
each object's page shows (its feed)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

import cohorts.services
import courses.services
import trainees.services
from cohorts.models import Cohort, Enrolment
from courses.models import Attendance, Session
from trainees.models import Assignment, RetentionCommitment, Trainee


@dataclass(frozen=True)
class Kind:
    name: str  # in URLs
    label: str
    model: type[models.Model]
    # restore_<thing>(record, version, *, by), in the app that owns the record.
    restore: Callable
    # The fields a restore of `version` writes on `record` (the service's own list).
    restored: Callable[[models.Model, object], tuple[str, ...]]
    # What a version is, in a line, from its fields; `name(field)` names the record a foreign
    # key of the version points to, among those of `named` (read in bulk for a whole page).
    title: Callable[[object, Callable[[str], str]], str]
    named: tuple[str, ...] = ()
    # Fields never listed as changes: the record's identity (in its title) or who marked it.
    hidden: frozenset[str] = field(default_factory=frozenset)

    @property
    def history(self):
        return self.model.history

    def shown_fields(self) -> list[models.Field]:
        """The fields a change lists, in the model's order: tracked, editable, not hidden."""
        tracked = {tracked.name for tracked in self.history.model.tracked_fields}
        return [
            own
            for own in self.model._meta.concrete_fields
            if own.name in tracked and own.editable and own.name not in self.hidden and not own.primary_key
        ]


def _fixed(fields: tuple[str, ...]):
    return lambda record, version: fields


def _dates(start, end) -> str:
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}" if end else f"{start:%d/%m/%Y}"


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "trainee",
            _("Trainee"),
            Trainee,
            trainees.services.restore_trainee,
            _fixed(trainees.services.RESTORED_TRAINEE_FIELDS),
            title=lambda version, name: version.full_name,
        ),
        Kind(
            "post",
            _("Post"),
            Assignment,
            trainees.services.restore_assignment,
            _fixed(trainees.services.RESTORED_POST_FIELDS),
            title=lambda version, name: f"{version.position}, {name('agency')}",
            named=("agency",),
            hidden=frozenset({"trainee"}),
        ),
        Kind(
            "commitment",
            _("Retention commitment"),
            RetentionCommitment,
            trainees.services.restore_commitment,
            _fixed(trainees.services.RESTORED_COMMITMENT_FIELDS),
            title=lambda version, name: f"{name('agency')}, {_dates(version.starts_on, version.ends_on)}",
            named=("agency",),
            hidden=frozenset({"trainee"}),
        ),
        Kind(
            "enrolment",
            _("Enrolment"),
            Enrolment,
            cohorts.services.restore_enrolment,
            _fixed(cohorts.services.RESTORED_ENROLMENT_FIELDS),
            title=lambda version, name: f"{name('trainee')} – {name('cohort')}",
            named=("trainee", "cohort"),
            hidden=frozenset({"trainee", "cohort"}),
        ),
        Kind(
            "session",
            _("Session"),
            Session,
            courses.services.restore_session,
            courses.services.restored_session_fields,
            title=lambda version, name: version.title,
            hidden=frozenset({"course"}),
        ),
        Kind(
            "attendance",
            _("Attendance"),
            Attendance,
            courses.services.restore_attendance,
            _fixed(courses.services.RESTORED_ATTENDANCE_FIELDS),
            title=lambda version, name: name("trainee"),
            named=("trainee",),
            hidden=frozenset({"session", "trainee", "recorded_by"}),
        ),
    ]
}


@dataclass(frozen=True)
class Feed:
    """The versions one object's page shows: its own and those of the records hanging from it."""

    name: str  # in URL names: history:<name>, history:<name>-restore
    model: type[models.Model]
    page: str  # URL name of the object's page
    # Kind name -> the field of its history that holds the object's id.
    sources: dict[str, str]

    def kinds(self) -> list[Kind]:
        return [KINDS[name] for name in self.sources]

    @property
    def history_url(self) -> str:
        return f"history:{self.name}"

    @property
    def restore_url(self) -> str:
        return f"history:{self.name}-restore"


FEEDS = {
    feed.name: feed
    for feed in [
        # Enrolments show on the trainee's page and on their cohort's, where they are withdrawn.
        Feed(
            "trainee",
            Trainee,
            "trainees:trainee-detail",
            {"trainee": "id", "post": "trainee_id", "commitment": "trainee_id", "enrolment": "trainee_id"},
        ),
        Feed("session", Session, "courses:session-detail", {"session": "id", "attendance": "session_id"}),
        Feed("cohort", Cohort, "cohorts:cohort-detail", {"enrolment": "cohort_id"}),
    ]
}
