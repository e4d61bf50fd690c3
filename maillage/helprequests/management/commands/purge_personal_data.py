from django.core.management.base import BaseCommand

from maillage.helprequests import retention


class Command(BaseCommand):
    help = (
        "Erase the personal data of help requests closed longer ago than HELP_REQUEST_RETENTION_MONTHS, "
        "and of messages given up after their last attempt. Dry run by default: says how many it would "
        "erase; --wet-run erases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really erase")

    def handle(self, *args, wet_run=False, **options):
        due = retention.due_for_anonymisation()
        undelivered = retention.undelivered_messages()
        if not wet_run:
            self.stdout.write(f"[dry run] {due.count()} closed help request(s) would be anonymised.")
            self.stdout.write(f"[dry run] {undelivered.count()} undelivered message(s) would be erased.")
            return
        self.stdout.write(f"{retention.anonymise(due)} closed help request(s) anonymised.")
        self.stdout.write(f"{undelivered.update(recipient='', body='', last_error='')} undelivered message(s) erased.")
