from maillage.helprequests import upkeep
from maillage.management.wet_run import WetRunCommand
from maillage.notifications.services import retry_due


class Command(WetRunCommand):
    help = (
        "Hourly upkeep of help requests: remind places of people waiting, escalate after "
        "HELP_REQUEST_ESCALATION_HOURS, expire after HELP_REQUEST_EXPIRY_DAYS, remind tomorrow's "
        "appointments, retry messages that failed. Dry run by default: says what it would do; --wet-run acts."
    )

    def run(self, act, **options):
        lines = upkeep.run(act=act)
        if act:
            lines.append(f"{len(lines)} action(s); {len(retry_due())} message(s) retried.")
        else:
            lines.append(f"{len(lines)} action(s) would be taken.")
        return lines
