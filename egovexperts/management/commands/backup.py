"""Write the database and the uploaded files into one archive.

    python manage.py backup PATH.tar

PostgreSQL is dumped with pg_dump (custom format), SQLite copied with its backup API; MEDIA_ROOT
goes under media/ (egovexperts/management/backups.py).
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from egovexperts.management import backups


class Command(BaseCommand):
    help = "Write the database and MEDIA_ROOT into one .tar archive."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Where to write the archive (.tar).")

    def handle(self, *args, path, **options):
        manifest = backups.write_backup(path)
        self.stdout.write(f"{path}: {manifest['database']} and {manifest['media_files']} media file(s)")
