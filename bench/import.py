"""Time the trainee import at 10,000 rows on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py            # both databases, one after the other
    .venv/bin/python bench/import.py --rows 2000

For each database it prints: preview (read + plan, nothing written), confirmed import (read,
plan again, write in one transaction), their sum in rows per second; then the same rows
through a stock django-import-export ModelResource (the peer) and a raw bulk_create of the
same trainees, posts, enrolments and commitments (the floor); then the queries and the peak
Python memory of a preview at a tenth of the size and at full size (flat = no per-row work).
PostgreSQL: BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/egov_bench5 (dropped
and created again). SQLite: a new file in a temporary folder.
"""

import argparse
import datetime
import io
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/egov_bench5")
AGENCY_NAMES = ["Tỉnh Hà Giang", "Bộ TT&TT", "TP. Hồ Chí Minh", "Ha Noi", "Bộ Tài chính", "Tỉnh Nghệ An", "Đà Nẵng"]
UNIT_NAMES = ["Sở Thông tin và Truyền thông", "Văn phòng UBND", "Phòng Công nghệ thông tin", ""]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"])
    parser.add_argument("--no-peer", action="store_true", help="skip the slow stock import")
    args = parser.parse_args()
    if args.database is None:
        for database in ("sqlite", "postgres"):
            extra = ["--no-peer"] if args.no_peer else []
            command = [sys.executable, __file__, "--rows", str(args.rows), "--database", database, *extra]
            subprocess.run(command, check=True)
        return
    with tempfile.TemporaryDirectory() as folder:
        if args.database == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        else:
            os.environ["DATABASE_URL"] = POSTGRES_URL
            _recreate_postgres(POSTGRES_URL)
        run(args.rows, args.database, peer=not args.no_peer)


def _recreate_postgres(url):
    import psycopg2

    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egovexperts.settings")
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rows(count):
    for n in range(count):
        yield [
            f"Nguyễn Văn Học Viên {n}",
            f"Hoc.Vien{n}@Example.org",
            f"09{n:08d}",
            "Chuyên viên" if n % 3 else "Trưởng phòng",
            AGENCY_NAMES[n % len(AGENCY_NAMES)],
            UNIT_NAMES[n % len(UNIT_NAMES)],
            "Khóa 1" if n % 2 else "khoa-2",
            datetime.datetime(2024, 6, 1) if n % 2 else f"{1 + n % 28:02d}/06/2024",
        ]


def workbook(count) -> bytes:
    import openpyxl

    from egovexperts.imports.resources import TraineeListResource

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(TraineeListResource.template_headers())
    for row in rows(count):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def clear():
    from cohorts.models import Enrolment
    from egovexperts.imports.models import ImportRun
    from trainees.models import Assignment, RetentionCommitment, Trainee, Unit

    for model in (Enrolment, RetentionCommitment, Assignment, Trainee, Unit, ImportRun):
        model.objects.all().delete()
        model.history.all().delete() if hasattr(model, "history") else None


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(count, database, peer=True):
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cohorts.models import Cohort, Programme
    from egovexperts.imports import services
    from egovexperts.imports.files import Upload

    programme = Programme.objects.create(code="egov-100", name="Chương trình 100 chuyên gia")
    Cohort.objects.create(programme=programme, code="khoa-1", name="Khóa 1", starts_on=datetime.date(2020, 6, 1))
    Cohort.objects.create(programme=programme, code="khoa-2", name="Khóa 2", starts_on=datetime.date(2022, 6, 1))
    user = get_user_model().objects.create(username="bench@example.org", email="bench@example.org")
    upload = Upload(name="bench.xlsx", content=workbook(count))
    print(f"\n== {database} ({connection.vendor}), {count} rows, file {len(upload.content) / 1024:.0f} KiB")

    preview_time, preview = timed(lambda: services.preview(upload, kind="trainees"))
    assert not preview.plan.error_rows, preview.plan.error_rows[:3]
    confirm_time, run_ = timed(lambda: services.confirm(upload, kind="trainees", user=user))
    total = preview_time + confirm_time
    print(
        f"ours   preview {preview_time:6.2f} s   confirm {confirm_time:6.2f} s   total {total:6.2f} s"
        f"   {count / total:8.0f} rows/s   ({run_.new_count} new)"
    )
    again_time, again = timed(lambda: services.preview(upload, kind="trainees"))
    print(
        f"ours   re-import preview (all unchanged) {again_time:6.2f} s   ({again.plan.counts['unchanged']} unchanged)"
    )

    clear()
    peer_time = stock_peer(upload) if peer else float("nan")
    print(f"peer   stock ModelResource import (trainees only) {peer_time:6.2f} s   {count / peer_time:8.0f} rows/s")
    clear()
    floor_time = floor(count)
    print(f"floor  raw bulk_create (trainees, posts, enrolments, commitments) {floor_time:6.2f} s")
    print(f"ratios ours/floor {total / floor_time:5.1f}x   peer/ours {peer_time / total:5.1f}x")
    # The floor writes what an import of this file must write (four rows per line, the peer one):
    # no importer that writes them through the ORM gains more than this over the peer.
    print(f"bound  peer/floor {peer_time / floor_time:5.1f}x")
    clear()
    flat(upload, count)


def stock_peer(upload) -> float:
    from import_export import resources
    from import_export.formats import base_formats

    from trainees.models import Trainee

    class TraineeResource(resources.ModelResource):
        class Meta:
            model = Trainee
            fields = ["full_name", "email", "phone"]
            import_id_fields = ["email"]

    def load():
        dataset = base_formats.XLSX().create_dataset(upload.content)
        dataset.headers = ["full_name", "email", "phone", "position", "agency", "unit", "cohort", "starts_on"]
        dataset.append_col(lambda row: row[1].strip().lower(), header="email_key")
        del dataset["email"]
        dataset.headers = [h if h != "email_key" else "email" for h in dataset.headers]
        result = TraineeResource().import_data(dataset, dry_run=False, use_transactions=True)
        assert not result.has_errors()

    seconds, _ = timed(load)
    return seconds


def floor(count) -> float:
    from cohorts.models import Cohort, Enrolment
    from trainees.agencies import AgencyDirectory
    from trainees.commitments import default_end
    from trainees.models import Assignment, RetentionCommitment, Trainee

    directory = AgencyDirectory.load()
    agency_ids = [directory.resolve(name).pk for name in AGENCY_NAMES]
    cohort_ids = list(Cohort.objects.order_by("code").values_list("pk", flat=True))
    data = list(rows(count))
    start = datetime.date(2024, 6, 1)
    end = default_end(start)

    def write():
        trainees = Trainee.objects.bulk_create(
            [Trainee(full_name=r[0], email=r[1].lower(), phone=r[2]) for r in data], batch_size=2000
        )
        Assignment.objects.bulk_create(
            [
                Assignment(trainee_id=t.pk, agency_id=agency_ids[n % 7], position=data[n][3], starts_on=start)
                for n, t in enumerate(trainees)
            ],
            batch_size=2000,
        )
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    cohort_id=cohort_ids[n % 2], trainee_id=t.pk, nominated_by_id=agency_ids[n % 7], enrolled_on=start
                )
                for n, t in enumerate(trainees)
            ],
            batch_size=2000,
        )
        RetentionCommitment.objects.bulk_create(
            [
                RetentionCommitment(trainee_id=t.pk, agency_id=agency_ids[n % 7], starts_on=start, ends_on=end)
                for n, t in enumerate(trainees)
            ],
            batch_size=2000,
        )

    from django.db import transaction

    seconds, _ = timed(lambda: transaction.atomic()(write)())
    return seconds


def flat(upload, count):
    """Queries and peak Python memory of a preview at a tenth of the rows and at all of them."""
    from django.db import connection

    from egovexperts.imports import services
    from egovexperts.imports.files import Upload

    small = Upload(name="small.xlsx", content=workbook(count // 10))
    for label, file in ((f"{count // 10:>6} rows", small), (f"{count:>6} rows", upload)):
        queries = []
        tracemalloc.start()
        with connection.execute_wrapper(lambda execute, sql, *a, seen=queries: seen.append(sql) or execute(sql, *a)):
            services.preview(file, kind="trainees")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"flat   preview of {label}: {len(queries):3d} queries, peak Python memory {peak / 2**20:6.1f} MiB"
            f"   ({peak / int(label.split()[0]) / 1024:.1f} KiB/row)"
        )


if __name__ == "__main__":
    main()
