from maillage.helprequests import retention
from maillage.management.wet_run import WetRunCommand
from maillage.notifications.services import forget_old_digests


class Command(WetRunCommand):
    help = (
        "Erase the personal data of help requests closed longer ago than HELP_REQUEST_RETENTION_MONTHS, "
        "and of messages given up after their last attempt. Dry run by default: says how many it would "
        "erase; --wet-run erases."
    )

    def run(self, act, **options):
        due, undelivered = retention.due_for_anonymisation(), retention.undelivered_messages()
        digests = forget_old_digests()
        if not act:
            return [
                f"{due.count()} closed help request(s) would be anonymised.",
                f"{undelivered.count()} undelivered message(s) would be erased.",
                f"{digests.count()} recipient digest(s) older than a day would be erased.",
            ]
        return [
            f"{retention.anonymise(due)} closed help request(s) anonymised.",
            f"{retention.erase_undelivered(undelivered)} undelivered message(s) erased.",
            f"{digests.update(recipient_digest='')} recipient digest(s) older than a day erased.",
        ]
