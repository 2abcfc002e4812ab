"""Time and count the queries of a trainee import, a re-import that changes every row, and the
reverts of both, at a tenth of the rows and at all of them, with the history rows each writes.

    .venv/bin/python bench/import_history.py                  # PostgreSQL, 10,000 rows
    .venv/bin/python bench/import_history.py --database sqlite --rows 2000

The same number of queries at both sizes (or one more per 2,000 rows) means no per-row query.
The Python time is the benchmark's own CPU time, which other work on the machine disturbs less.
PostgreSQL: BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/egov_bench_history
(dropped and created again). SQLite: a new file in a temporary folder.
"""

import argparse
import importlib
import os
import tempfile
import time

# bench/import.py builds the workbook; its module name is a keyword, hence import_module.
bench_import = importlib.import_module("import")

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/egov_bench_history")
HISTORICAL = ("trainees.Trainee", "trainees.Assignment", "trainees.RetentionCommitment", "cohorts.Enrolment")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        else:
            os.environ["DATABASE_URL"] = POSTGRES_URL
            bench_import._recreate_postgres(POSTGRES_URL)
        bench_import.setup_django()
        run(args.rows, args.database)


def changed_workbook(count) -> bytes:
    """The same trainees with another phone number each: every row is an update."""
    import io

    import openpyxl

    from egovexperts.imports.resources import TraineeListResource

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(TraineeListResource.template_headers())
    for row in bench_import.rows(count):
        row[2] = "08" + row[2][2:]
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measured(function):
    from django.db import connection

    queries = []
    start, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
        result = function()
    return time.perf_counter() - start, time.process_time() - cpu, len(queries), result


def history_rows() -> int:
    from django.apps import apps

    return sum(apps.get_model(label).history.count() for label in HISTORICAL)


def run(count, database):
    import datetime

    from django.contrib.auth import get_user_model
    from django.db import connection

    from cohorts.models import Cohort, Programme
    from egovexperts.imports import services
    from egovexperts.imports.files import Upload

    programme = Programme.objects.create(code="egov-100", name="Chương trình 100 chuyên gia")
    Cohort.objects.create(programme=programme, code="khoa-1", name="Khóa 1", starts_on=datetime.date(2020, 6, 1))
    Cohort.objects.create(programme=programme, code="khoa-2", name="Khóa 2", starts_on=datetime.date(2022, 6, 1))
    user = get_user_model().objects.create(username="bench@example.org", email="bench@example.org")
    print(f"\n== {database} ({connection.vendor})")
    for size in (count // 10, count):
        new = Upload(name=f"new-{size}.xlsx", content=bench_import.workbook(size))
        changed = Upload(name=f"changed-{size}.xlsx", content=changed_workbook(size))
        first = step(size, "import (all new)", services.confirm, new, kind="trainees", user=user)
        second = step(size, "re-import (all updated)", services.confirm, changed, kind="trainees", user=user)
        step(size, "revert of the re-import", services.revert, second, user=user)
        step(size, "revert of the import", services.revert, first, user=user)
        bench_import.clear()


def step(size, label, function, *args, **kwargs):
    before = history_rows()
    seconds, cpu, queries, result = measured(lambda: function(*args, **kwargs))
    written = history_rows() - before
    print(
        f"{size:>6} rows  {label:<24} {seconds:6.2f} s (Python {cpu:5.2f} s)  {queries:6d} queries"
        f"  {written:6d} history rows"
    )
    return result


if __name__ == "__main__":
    main()
