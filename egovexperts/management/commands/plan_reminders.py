"""Run the planning service once, as the beat does every five minutes.

    python manage.py plan_reminders [--dry-run] [--at 2026-03-02T07:00+07:00]

Prints the count per kind; with --dry-run writes nothing and lists what would be sent.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from egovexperts.notifications import planning


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--at: {error}") from error
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Plan the reminders and alerts that are due and write them to the outbox."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; list what would be sent.")
        parser.add_argument(
            "--at", type=_moment, help="Plan as if it were this moment (ISO 8601; local time if naive)."
        )

    def handle(self, *args, dry_run=False, at=None, **options):
        result = planning.plan(at=at, dry_run=dry_run)
        if dry_run:
            for message in sorted(result.messages, key=lambda m: (m.due_at, m.kind, m.recipient)):
                due = timezone.localtime(message.due_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"{due}  {message.kind:<22} {message.recipient:<40} {message.key}")
        for kind, count in sorted(result.counts.items()):
            self.stdout.write(f"{kind}: {count}")
        if dry_run:
            self.stdout.write(f"dry run: {len(result.messages)} due, nothing written")
        else:
            self.stdout.write(f"{len(result.messages)} due, {result.written} written")
