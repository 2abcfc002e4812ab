from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egovexperts.management import demo


class Command(BaseCommand):
    help = "Create the demo programme, cohort, curriculum and logins (once; a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo logins share a published password, a superuser included.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. The demo creates a superuser whose password is "
                "published; run with --force only on a throw-away server."
            )
        created, logins = demo.seed()
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write("Demo logins (email / password):")
        for login in logins:
            self.stdout.write(f"  {login.role:<10} {login.email:<40} {login.password}")
