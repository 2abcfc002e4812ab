from django.core.management.base import BaseCommand

from egovexperts import demo


class Command(BaseCommand):
    help = "Create the demo programme, cohort, curriculum and logins (once; a second run changes nothing)."

    def handle(self, *args, **options):
        created, logins = demo.seed()
        if created:
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write("Demo logins (email / password):")
        for login in logins:
            self.stdout.write(f"  {login.role:<10} {login.email:<40} {login.password}")
