"""ORM queries compiled once per process and run with new values.

Building and compiling a query of several joins costs the ORM about as much time as the
database takes to run it (about 0.8 ms for a session's attendance grid, which PostgreSQL
answers in about 1 ms). A query that a busy page runs on every request is therefore built once,
with a `Slot` where a value changes from one request to the next, and its SQL is kept:

    GRID = PreparedQuery(lambda: Enrolment.objects.filter(cohort_id=Slot("cohort", IntegerField()))
                         .values_list("trainee_id", "trainee__full_name"))
    GRID.rows(cohort=3)  # -> [(12, "Nguyễn Văn An"), ...]

Everything else in the query is frozen at its first use, so values that vary (ids, dates) must
all be slots. Rows come as the database driver returns them: a query whose columns would need
the ORM's converters (booleans or dates on SQLite, counts, for instance) is refused, unless it is
prepared with `convert=True`, which runs each row through them as the queryset would.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Expression, Field, QuerySet


class Slot(Expression):
    """A value of a prepared query, given when the query runs."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]  # the slot stands in the parameters until `PreparedQuery.rows`

    def __repr__(self):
        return f"Slot({self.name!r})"


class PreparedQuery:
    """A read query built and compiled once per database, then run with the values of its slots."""

    def __init__(self, build: Callable[[], QuerySet], *, convert: bool = False):
        self._build = build  # called lazily: models and settings are not ready at import time
        self._convert = convert
        self._compiled: dict[str, tuple[str, tuple, list]] = {}

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        connection = connections[using]
        sql, params, converters = self._compiled.get(using) or self._compile(using)
        bound = [
            param.output_field.get_db_prep_value(values[param.name], connection) if isinstance(param, Slot) else param
            for param in params
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            return [_converted(row, converters, connection) for row in rows]
        return rows

    def _compile(self, using: str) -> tuple[str, tuple, list]:
        compiler = self._build().query.get_compiler(using)
        sql, params = compiler.as_sql()
        converters = list(compiler.get_converters([column for column, _sql, _alias in compiler.select]).items())
        if converters and not self._convert:
            raise ImproperlyConfigured("A prepared query returns raw rows: select columns that need no converting.")
        self._compiled[using] = sql, params, converters
        return sql, params, converters


def _converted(row: tuple, converters: list, connection) -> tuple:
    """A row as the queryset would give it: each column through the ORM's converters for it."""
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return tuple(row)
