"""History rows of what imports and reverts write.

simple_history writes a history row from a model's save and delete signals; bulk inserts, bulk
updates and queryset updates send none. Imports and reverts write in bulk, so they write the
history rows in bulk too (a few queries per 2,000 records, never one per record), each naming
who ran the import or revert and which run it was: the object's history page shows both.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

CHUNK = 2000


def chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def is_historical(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


@dataclass(frozen=True)
class Author:
    """Who wrote a run's records and why: the history_user and history_change_reason of their rows."""

    user: object
    reason: str

    @classmethod
    def of_import(cls, run, user) -> Author:
        name = Truncator(run.file_name).chars(60)
        return cls(user, _("Import #%(number)s (%(file)s)") % {"number": run.pk, "file": name})

    @classmethod
    def of_revert(cls, run, user) -> Author:
        return cls(user, _("Revert of import #%(number)s") % {"number": run.pk})

    @property
    def _defaults(self) -> dict:
        return {"batch_size": CHUNK, "default_user": self.user, "default_change_reason": self.reason}

    def create(self, model, objs: list) -> None:
        """bulk_create, with a history row per record."""
        bulk_create_with_history(objs, model, **self._defaults)

    def update(self, model, objs: list, fields: list[str]) -> None:
        """bulk_update of instances that hold every field (read from the database), with a history row each."""
        bulk_update_with_history(objs, model, fields, **self._defaults)

    def record_updated(self, model, pks) -> None:
        """A history row for each of these records as the database holds them now: after a write
        of some fields only (a queryset update, a bulk update of partial instances)."""
        for chunk in chunks(list(pks)):
            model.history.bulk_history_create(list(model.objects.filter(pk__in=chunk)), update=True, **self._defaults)

    def sign(self, model, pks, *, since: datetime.datetime) -> None:
        """Put the author on the history rows that the records' own save() or delete() wrote since
        `since` (services that write one record at a time, Django's deletion)."""
        for chunk in chunks(list(pks)):
            model.history.filter(id__in=chunk, history_date__gte=since).update(
                history_user=self.user, history_change_reason=self.reason
            )
