"""Restore an archive written by `backup` into the configured database and MEDIA_ROOT.

    python manage.py restore PATH.tar [--force]

Refuses a database that has tables or a media folder that has files, unless --force: then the
dump's objects replace theirs (pg_restore --clean) and its files are written over theirs.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from egovexperts.management import backups


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive written by `manage.py backup`.")
        parser.add_argument("--force", action="store_true", help="Restore over a database that is not empty.")

    def handle(self, *args, path, force=False, **options):
        manifest = backups.read_backup(path, force=force)
        self.stdout.write(
            f"Restored {manifest['database']} and {manifest['media_files']} media file(s) of {manifest['created']}"
        )
