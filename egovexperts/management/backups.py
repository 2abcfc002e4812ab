"""Backups: the database and the uploaded files in one .tar, and back.

    python manage.py backup var/backups/egov-2026-12-04.tar
    python manage.py restore var/backups/egov-2026-12-04.tar [--force]

The archive holds `manifest.json`, the database (`database.dump`, PostgreSQL's custom format
written by `pg_dump -Fc`, or `database.sqlite3`, a copy made with SQLite's online backup API)
and `media/`, a copy of MEDIA_ROOT. The password never appears on a command line: pg_dump and
pg_restore read it from PGPASSWORD in their environment.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404: pg_dump and pg_restore, arguments from the settings, no shell
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

FORMAT = 1
POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
DUMP_NAMES = {POSTGRESQL: "database.dump", SQLITE: "database.sqlite3"}


def _engine(database: dict) -> str:
    engine = database["ENGINE"]
    if engine not in DUMP_NAMES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {engine}.")
    return engine


def _pg_command(program: str, database: dict) -> tuple[list[str], dict]:
    """Connection arguments from DATABASES, and an environment carrying the password."""
    if shutil.which(program) is None:
        raise CommandError(f"{program} is not on the PATH (PostgreSQL client programs).")
    args = [program, "--no-password"]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    sslmode = database.get("OPTIONS", {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(args: list[str], env: dict | None = None) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise CommandError(f"{args[0]} failed: {result.stderr.strip()}")


def _dump(database: dict, target: Path) -> None:
    if _engine(database) == POSTGRESQL:
        args, env = _pg_command("pg_dump", database)
        _run([*args, "--format=custom", "--file", str(target), "--dbname", str(database["NAME"])], env)
    else:
        source = sqlite3.connect(str(database["NAME"]))
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)  # a consistent copy even while the app writes
        finally:
            copy.close()
            source.close()


def _tables(database: dict) -> list[str]:
    if _engine(database) == SQLITE:
        if not Path(database["NAME"]).exists():
            return []
        db = sqlite3.connect(str(database["NAME"]))
        try:
            return [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        finally:
            db.close()
    wrapper = type(connections["default"])({**connections["default"].settings_dict, **database}, alias="backup")
    try:
        with wrapper.cursor() as cursor:
            return wrapper.introspection.table_names(cursor)
    finally:
        wrapper.close()


def _load(database: dict, dump: Path, *, force: bool) -> None:
    if _engine(database) == POSTGRESQL:
        args, env = _pg_command("pg_restore", database)
        # --no-owner/--no-acl: the restoring role owns everything, whatever role wrote the dump.
        args += ["--no-owner", "--no-acl", "--exit-on-error", "--dbname", str(database["NAME"])]
        if force:
            args += ["--clean", "--if-exists"]
        _run([*args, str(dump)], env)
    else:
        source = sqlite3.connect(str(dump))
        target = sqlite3.connect(str(database["NAME"]))
        try:
            source.backup(target)  # replaces every page of the target
        finally:
            target.close()
            source.close()


def write_backup(path: Path, *, database: dict | None = None, media_root: Path | None = None) -> dict:
    """Write the archive at `path`; returns its manifest."""
    database = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    engine = _engine(database)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP_NAMES[engine]
        _dump(database, dump)
        files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.is_dir() else []
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "database": DUMP_NAMES[engine],
            "media_files": len(files),
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = path.with_name(path.name + ".partial")  # never a half-written archive under the real name
        with tarfile.open(partial, "w") as archive:
            archive.add(Path(work) / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname=DUMP_NAMES[engine])
            archive.add(media_root if media_root.is_dir() else work, arcname="media", recursive=False)
            for file in files:
                archive.add(file, arcname=f"media/{file.relative_to(media_root).as_posix()}")
        partial.replace(path)
    return manifest


def read_backup(
    path: Path, *, database: dict | None = None, media_root: Path | None = None, force: bool = False
) -> dict:
    """Restore the archive at `path` into the database and MEDIA_ROOT; returns its manifest.

    Refuses a database that has tables, or a media folder that has files, unless `force`."""
    database = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    engine = _engine(database)
    try:
        archive = tarfile.open(path, "r")
    except (OSError, tarfile.TarError) as error:
        raise CommandError(f"Cannot read the backup {path}: {error}") from error
    with archive, tempfile.TemporaryDirectory() as work:
        archive.extractall(work, filter="data")  # refuses absolute paths, "..", links out of the folder
        try:
            manifest = json.loads((Path(work) / "manifest.json").read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"{path} is not a backup of this application (no manifest).") from error
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine:
            raise CommandError(f"{path} holds a {manifest.get('engine')} backup; the database is {engine}.")
        if not force:
            if _tables(database):
                raise CommandError("The database is not empty: restore into a new database, or use --force.")
            if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
                raise CommandError(f"{media_root} holds files: restore into an empty folder, or use --force.")
        connections.close_all()
        _load(database, Path(work) / manifest["database"], force=force)
        media = Path(work) / "media"
        if media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    return manifest
