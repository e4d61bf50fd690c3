from django.core.management.base import BaseCommand

from maillage.activities import workshops


class Command(BaseCommand):
    help = (
        "Remind everyone registered for tomorrow's workshop sessions, by text message or e-mail, with the link to "
        "cancel. Run it daily; each person gets one reminder, however often it runs."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{workshops.remind()} reminder(s) queued.")
