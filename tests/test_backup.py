"""manage.py backup / restore: a round trip finds the same records and the same uploaded files.

The PostgreSQL round trip (pg_dump, a new database on the same server, pg_restore) runs where
the tests run on PostgreSQL, as in CI; the SQLite path is checked on files of its own.
"""

import sqlite3
import tarfile
import uuid

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from courses.models import Material
from egovexperts.management import backups
from tests.factories import AttendanceFactory, EnrolmentFactory, MaterialFactory, SessionFactory, TraineeFactory

on_postgresql = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != backups.POSTGRESQL,
    reason="the test database is SQLite: pg_dump/pg_restore need the tests to run on PostgreSQL",
)
TABLES = [
    "auth_user",
    "trainees_trainee",
    "cohorts_enrolment",
    "courses_session",
    "courses_attendance",
    "courses_material",
]


def _execute(dbname: str, sql: str) -> list:
    """Run one statement through a psycopg2 connection of our own to the test server, outside Django's."""
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=dbname, user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or None, port=db["PORT"] or None
    )
    conn.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


def _snapshot(dbname: str) -> dict:
    counts = {table: _execute(dbname, f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}  # nosec B608
    return {
        "counts": counts,
        "trainees": _execute(dbname, "SELECT id, full_name, email FROM trainees_trainee ORDER BY id"),
        "materials": _execute(dbname, "SELECT id, file FROM courses_material WHERE file <> '' ORDER BY id"),
    }


@pytest.fixture
def records(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    trainees = TraineeFactory.create_batch(3, full_name="Trần Thị Ánh")
    session = SessionFactory()
    for trainee in trainees:
        EnrolmentFactory(cohort=session.course.cohort, trainee=trainee)
        AttendanceFactory(session=session, trainee=trainee)
    return MaterialFactory(course=session.course, url="", file=ContentFile(b"%PDF-1.4 bai giang", name="slides.pdf"))


@on_postgresql
@pytest.mark.django_db(transaction=True)  # pg_dump, another process, sees committed rows only
def test_a_backup_restored_into_a_new_database_has_the_same_records_and_files(records, tmp_path):
    archive = tmp_path / "egov.tar"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "database.dump", f"media/{records.file.name}"} <= set(names)

    source = connection.settings_dict["NAME"]
    copy = f"{source}_restored_{uuid.uuid4().hex[:8]}"
    _execute("postgres", f'CREATE DATABASE "{copy}"')
    try:
        media = tmp_path / "restored-media"
        backups.read_backup(archive, database={**connection.settings_dict, "NAME": copy}, media_root=media)
        expected, restored = _snapshot(source), _snapshot(copy)
        assert restored == expected
        assert expected["counts"]["trainees_trainee"] >= 3 and expected["counts"]["courses_attendance"] == 3
        assert (media / records.file.name).read_bytes() == b"%PDF-1.4 bai giang"
    finally:
        _execute("postgres", f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty_unless_forced(records, tmp_path):
    archive = tmp_path / "egov.tar"
    backups.write_backup(archive)
    before = _snapshot(connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
    Material.objects.all().delete()  # a mistake to undo
    call_command("restore", str(archive), "--force")
    assert _snapshot(connection.settings_dict["NAME"]) == before


def _sqlite(path, rows):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE trainee (id INTEGER PRIMARY KEY, full_name TEXT)")
    db.executemany("INSERT INTO trainee (full_name) VALUES (?)", [(row,) for row in rows])
    db.commit()
    db.close()


def test_a_sqlite_database_and_its_media_survive_a_round_trip(tmp_path):
    source = {"ENGINE": backups.SQLITE, "NAME": tmp_path / "source.sqlite3"}
    _sqlite(source["NAME"], ["Nguyễn Văn A", "Lê Thị B"])
    media = tmp_path / "media"
    (media / "materials/1").mkdir(parents=True)
    (media / "materials/1/slides.pdf").write_bytes(b"slides")
    archive = tmp_path / "backup.tar"
    manifest = backups.write_backup(archive, database=source, media_root=media)
    assert manifest["media_files"] == 1

    target = {"ENGINE": backups.SQLITE, "NAME": tmp_path / "target.sqlite3"}
    restored_media = tmp_path / "restored-media"
    backups.read_backup(archive, database=target, media_root=restored_media)
    db = sqlite3.connect(target["NAME"])
    assert db.execute("SELECT full_name FROM trainee ORDER BY id").fetchall() == [("Nguyễn Văn A",), ("Lê Thị B",)]
    db.close()
    assert (restored_media / "materials/1/slides.pdf").read_bytes() == b"slides"

    with pytest.raises(CommandError, match="not empty"):
        backups.read_backup(archive, database=target, media_root=tmp_path / "elsewhere")
    with pytest.raises(CommandError, match="holds files"):
        backups.read_backup(archive, database={**target, "NAME": tmp_path / "new.sqlite3"}, media_root=restored_media)


def test_restore_refuses_an_archive_that_is_not_a_backup(tmp_path):
    archive = tmp_path / "other.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(__file__, arcname="../../escape.py")
    target = {"ENGINE": backups.SQLITE, "NAME": tmp_path / "target.sqlite3"}
    with pytest.raises((CommandError, tarfile.TarError)):
        backups.read_backup(archive, database=target, media_root=tmp_path / "media")
    assert not (tmp_path.parent.parent / "escape.py").exists()
    assert not (tmp_path / "target.sqlite3").exists()
