"""Values of versions as people read them: choices by their label, records by their name, dates
in Vietnam's time. The names of the records a page of versions points to are read in one query
per model, whatever the number of versions."""

import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from egovexperts.core.versions import user_label

EMPTY = "—"

# The column that names a record of each model pointed to by a tracked foreign key.
NAME_FIELDS = {
    "trainees.agency": "short_name",
    "trainees.unit": "name",
    "trainees.trainee": "full_name",
    "cohorts.cohort": "name",
    "courses.course": "code",
    "courses.session": "title",
}


class Names:
    """Names of records by model and id: ask with want(), read them all with load()."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.names: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            if model is get_user_model():
                self.names[model] = {user.pk: user_label(user) for user in model.objects.filter(pk__in=ids)}
            else:
                column = NAME_FIELDS.get(model._meta.label_lower)
                rows = model._default_manager.filter(pk__in=ids)
                if column:
                    self.names[model] = dict(rows.values_list("pk", column))
                else:
                    self.names[model] = {row.pk: str(row) for row in rows}

    def of(self, model: type[models.Model], pk) -> str:
        if pk is None:
            return EMPTY
        # A record deleted since: its id, which the history of its own kind still explains.
        return self.names.get(model, {}).get(pk) or f"#{pk}"


def shown(field: models.Field, value, names: Names) -> str:
    """A field's value as a page shows it."""
    if value is None or value == "":
        return EMPTY
    if field.is_relation:
        return names.of(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def field_label(field: models.Field) -> str:
    label = str(field.verbose_name)
    return label[:1].upper() + label[1:]
