"""What an import would do, row by row, and the record of what it did (read back by revert)."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from .files import Table
from .history import Author
from .models import Outcome
from .widgets import control_characters
from .workbook_limits import column_letters


@dataclass
class RowResult:
    line: int
    key: str = ""
    outcome: str = Outcome.UNCHANGED
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, old, new)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.outcome = Outcome.ERROR

    def change(self, what, old, new) -> None:
        self.changes.append((str(what), shown(old), shown(new)))
        if self.outcome == Outcome.UNCHANGED:
            self.outcome = Outcome.UPDATED

    @property
    def messages(self) -> list[str]:
        return [_("Row %(line)s: %(message)s") % {"line": self.line, "message": message} for message in self.errors]

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "key": self.key,
            "outcome": self.outcome,
            "changes": self.changes,
            "notes": self.notes,
        }


def shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


@dataclass
class Plan:
    """The outcome of every row, and a writer that carries it out (inside the caller's transaction),
    recording what it wrote in the Changes and writing each record's history row as by the Author."""

    rows: list[RowResult]
    notes: list[str] = field(default_factory=list)
    write: Callable[[Changes, Author], None] | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in Outcome.values}

    @property
    def error_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == Outcome.ERROR]

    def rows_to_show(self, limit: int = 500) -> list[RowResult]:
        """Rows in error first, then new and updated rows; unchanged rows are only counted."""
        errors = self.error_rows
        others = [row for row in self.rows if row.outcome in (Outcome.NEW, Outcome.UPDATED)]
        return errors + others[: max(limit - len(errors), 0)]

    @property
    def can_confirm(self) -> bool:
        return not self.error_rows and any(row.outcome != Outcome.UNCHANGED for row in self.rows)


def label(model: type[models.Model]) -> str:
    return model._meta.label


def serialize(value):
    if value is None or type(value) in (int, str):
        return value
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # The database hands datetimes back in UTC: a file's local time must compare equal.
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


class Changes:
    """Created rows and updated fields, by model, with the values written: what revert checks and undoes.

    created: {model label: {"fields": [...], "rows": [[pk, value, ...], ...]}}
    updated: {model label: {"fields": [...], "rows": [[pk, [old, new], ...], ...]}} (None = not touched)
    """

    def __init__(self):
        self.created: dict[str, dict] = {}
        self.updated: dict[str, dict] = {}

    def record_created(self, objects, fields: list[str]) -> None:
        objects = list(objects)
        if not objects:
            return
        entry = self.created.setdefault(label(type(objects[0])), {"fields": list(fields), "rows": []})
        values = operator.attrgetter("pk", *entry["fields"])
        entry["rows"].extend([serialize(value) for value in values(obj)] for obj in objects)

    def record_update(self, obj, new: dict, model: type[models.Model] | None = None) -> None:
        """Record that `obj` (a model instance, or a row of `model` read as values) gets the `new` values."""
        values = {name: (getattr(obj, name), value) for name, value in new.items()}
        self.record_updated(model or type(obj), obj.pk, values)

    def record_updated(self, model, pk: int, values: dict[str, tuple]) -> None:
        entry = self.updated.setdefault(label(model), {"fields": [], "rows": []})
        for name in values:
            if name not in entry["fields"]:
                entry["fields"].append(name)
        row = [pk] + [None] * len(entry["fields"])
        for name, (old, new) in values.items():
            row[1 + entry["fields"].index(name)] = [serialize(old), serialize(new)]
        entry["rows"].append(row)

    def as_json(self) -> dict:
        # Rows recorded before a later field was added are padded to the full width.
        for entry in self.updated.values():
            width = 1 + len(entry["fields"])
            entry["rows"] = [row + [None] * (width - len(row)) for row in entry["rows"]]
        return {"created": self.created, "updated": self.updated}


def model_for(model_label: str) -> type[models.Model]:
    return apps.get_model(model_label)


def read_rows(resource, table: Table) -> tuple[list[RowResult], list[dict], list[str]]:
    """Rows cleaned by the resource's widgets, with the file-level notes (ignored columns).

    Every cell of every kind of file passes here: a cell holding a control character is a row
    error, and is not handed to its widget, so it reaches neither a query nor the database."""
    header = resource.match_headers(table.headers)
    notes = []
    if header.ignored:
        notes.append(_("Columns ignored (not known): %(columns)s.") % {"columns": ", ".join(header.ignored)})
    results, cleaned = [], []
    for line, cells in table.rows:
        controls = control_characters(cells)
        row = {
            name: cells[index] if index < len(cells) else None
            for name, index in header.positions.items()
            if index not in controls
        }
        values, errors = resource.clean_row(row)
        result = RowResult(line=line)
        for index, code in controls.items():
            result.error(
                _("column %(column)s holds a control character (%(code)s), which cannot be stored; delete it.")
                % {"column": _column_name(table.headers, index), "code": code}
            )
        for message in errors:
            result.error(message)
        results.append(result)
        cleaned.append(values)
    return results, cleaned, notes


def _column_name(headers: list, index: int) -> str:
    """'Email' (B), or B alone under a blank header."""
    letters = column_letters(index + 1)
    header = " ".join(str(headers[index]).split()) if index < len(headers) and headers[index] is not None else ""
    return f"'{header}' ({letters})" if header else letters
