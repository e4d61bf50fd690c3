from django.core.management.base import BaseCommand

from maillage.activities import retention


class Command(BaseCommand):
    help = (
        "Erase the notes of activity records older than a year (the records themselves stay, as statistics). "
        "Dry run by default: says how many it would erase; --wet-run erases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really erase")

    def handle(self, *args, wet_run=False, **options):
        due = retention.notes_due()
        if not wet_run:
            self.stdout.write(f"[dry run] {due.count()} note(s) would be erased.")
            return
        self.stdout.write(f"{due.update(note='')} note(s) erased.")
