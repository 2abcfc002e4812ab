"""Preview, confirm and revert imports.

preview() reads the file and plans every row without writing anything. confirm() plans again
inside one transaction (the data may have moved since the preview), refuses if any row is in
error, carries out the writes and records the ImportRun: all rows or none. revert() undoes a
run from what it recorded, if none of the records it wrote has changed since. Every record
either writes gets a history row naming the user and the run (history.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import attendance, schedule, trainee_list
from .files import Upload, read_table
from .history import CHUNK, Author, chunks, is_historical
from .models import ImportRun, Kind, Outcome
from .plans import Changes, Plan, model_for, serialize
from .resources import RESOURCES

PLANNERS = {Kind.TRAINEES: trainee_list.plan, Kind.SCHEDULE: schedule.plan, Kind.ATTENDANCE: attendance.plan}
# What follows putting back the rows a run updated, by model (sessions: calendars and notices;
# posts: the directory search).
_RESTORED = {"courses.Session": schedule.restored, "trainees.Assignment": trainee_list.restored}
# Deleted in this order on revert: rows that point to others first.
_DELETE_ORDER = [
    "courses.Attendance",
    "courses.Session",
    "cohorts.Enrolment",
    "trainees.RetentionCommitment",
    "trainees.Assignment",
    "trainees.Trainee",
    "trainees.Unit",
]


@dataclass
class Preview:
    kind: str
    upload: Upload
    plan: Plan


def preview(upload: Upload, *, kind: str, **options) -> Preview:
    """What importing the file would do; raises ValidationError for a file that cannot be read."""
    table = read_table(upload)
    resource = RESOURCES[kind]
    header = resource.match_headers(table.headers)
    if header.errors:
        raise ValidationError(header.errors, code="headers")
    return Preview(kind=kind, upload=upload, plan=PLANNERS[kind](table, **options))


@transaction.atomic
def confirm(upload: Upload, *, kind: str, user, **options) -> ImportRun:
    result = preview(upload, kind=kind, user=user, **options)
    plan = result.plan
    if plan.error_rows:
        raise ValidationError(
            _("The file has %(count)s rows with errors; nothing was imported.") % {"count": len(plan.error_rows)}
        )
    # The run is written first: the history rows of its records name it.
    run = ImportRun.objects.create(
        kind=kind,
        file_name=upload.name[:255],
        checksum=upload.checksum,
        created_by=user,
        total_rows=len(plan.rows),
        new_count=plan.count(Outcome.NEW),
        updated_count=plan.count(Outcome.UPDATED),
        unchanged_count=plan.count(Outcome.UNCHANGED),
        notes=plan.notes,
        rows=[row.as_json() for row in plan.rows],
    )
    changes = Changes()
    plan.write(changes, Author.of_import(run, user))
    run.changes = changes.as_json()
    run.save(update_fields=["changes"])
    return run


@transaction.atomic
def revert(run: ImportRun, *, user) -> ImportRun:
    """Delete what the run created and restore what it updated, or refuse and change nothing."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportRun.Status.CONFIRMED:
        raise ValidationError(_("This import was already reverted."))
    if not run.can_revert:
        raise ValidationError(_("This import changed nothing, so there is nothing to revert."))
    created, updated = run.changes.get("created", {}), run.changes.get("updated", {})
    changed = _changed_since(created, updates=False) + _changed_since(updated, updates=True)
    if changed:
        raise ValidationError(
            _(
                "%(count)s records written by this import have been changed since (for example %(example)s); "
                "revert them by hand or import a corrected file instead."
            )
            % {"count": len(changed), "example": changed[0]}
        )
    author = Author.of_revert(run, user)
    _delete_created(created, author)
    for model_label, entry in updated.items():
        model = model_for(model_label)
        _restore(model, entry)
        if model_label in _RESTORED:
            _RESTORED[model_label](entry)
        if is_historical(model):
            author.record_updated(model, [pk for pk, *_pairs in entry["rows"]])
    run.status = ImportRun.Status.REVERTED
    run.reverted_at = timezone.now()
    run.reverted_by = user
    run.save(update_fields=["status", "reverted_at", "reverted_by"])
    return run


def _delete_created(created: dict, author: Author) -> None:
    """Delete the records a run created, unless something written since refers to them (PROTECT)."""
    started = timezone.now()
    try:
        for model_label in _DELETE_ORDER:
            if model_label not in created:
                continue
            model = model_for(model_label)
            ids = [row[0] for row in created[model_label]["rows"]]
            for chunk in chunks(ids):
                model.objects.filter(pk__in=chunk).delete()
            # Django deletes record by record when a model has delete signals, as history models do:
            # simple_history wrote a row for each; they get the revert as their author.
            if is_historical(model):
                author.sign(model, ids, since=started)
    except ProtectedError:
        raise ValidationError(
            _("Records created by this import are now used elsewhere (attendance, enrolments); revert refused.")
        ) from None


def _restore(model, entry: dict) -> None:
    """Put back the values a run replaced, in bulk. A field a row did not touch is written back as
    read under the row's lock, so that a value written meanwhile is kept."""
    fields = entry["fields"]
    rows = {pk: pairs for pk, *pairs in entry["rows"]}
    for chunk in chunks(list(rows)):
        objs = model.objects.select_for_update().in_bulk(chunk)
        for pk, obj in objs.items():
            for name, pair in zip(fields, rows[pk], strict=True):
                if pair is not None:
                    setattr(obj, name, model._meta.get_field(name).to_python(pair[0]))
        model.objects.bulk_update(list(objs.values()), fields, batch_size=CHUNK)


def _changed_since(recorded: dict, *, updates: bool) -> list[str]:
    """Records whose current values differ from what the run wrote (or that are gone).

    Created rows hold the values written; updated rows hold [old, new] pairs, or None for a
    field that row did not touch.
    """
    changed = []
    for model_label, entry in recorded.items():
        model = model_for(model_label)
        fields = entry["fields"]
        rows = {row[0]: row[1:] for row in entry["rows"]}
        ids = list(rows)
        current = {}
        for start in range(0, len(ids), 2000):
            for pk, *values in model.objects.filter(pk__in=ids[start : start + 2000]).values_list("pk", *fields):
                current[pk] = values
        for pk, values in rows.items():
            now = current.get(pk)
            if now is None:
                changed.append(f"{model._meta.verbose_name} #{pk}")
                continue
            for value, stored in zip(now, values, strict=True):
                if updates and stored is None:
                    continue
                if serialize(value) != (stored[1] if updates else stored):
                    changed.append(f"{model._meta.verbose_name} #{pk}")
                    break
    return changed
