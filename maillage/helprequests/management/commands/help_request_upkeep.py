from django.core.management.base import BaseCommand

from maillage.helprequests import upkeep
from maillage.notifications.services import retry_due


class Command(BaseCommand):
    help = (
        "Hourly upkeep of help requests: remind places of people waiting, escalate after "
        "HELP_REQUEST_ESCALATION_HOURS, expire after HELP_REQUEST_EXPIRY_DAYS, remind tomorrow's "
        "appointments, retry messages that failed. Dry run by default: says what it would do; --wet-run acts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really act and send")

    def handle(self, *args, wet_run=False, **options):
        lines = upkeep.run(act=wet_run)
        prefix = "" if wet_run else "[dry run] "
        for line in lines:
            self.stdout.write(prefix + line)
        if wet_run:
            retried = retry_due()
            self.stdout.write(f"{len(lines)} action(s); {len(retried)} message(s) retried.")
        else:
            self.stdout.write(f"{prefix}{len(lines)} action(s) would be taken. Run with --wet-run to act.")
