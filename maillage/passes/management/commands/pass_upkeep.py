from django.core.management.base import BaseCommand

from maillage.passes import upkeep


class Command(BaseCommand):
    help = (
        "Daily upkeep of the Pass numérique: warn funders and distributors 30 and 15 days before a programme's "
        "passes stop, expire unused passes after the end date and grace period and refund them to the funder. "
        "Dry run by default: says what it would do; --wet-run acts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really act and send")

    def handle(self, *args, wet_run=False, **options):
        lines = upkeep.run(act=wet_run)
        prefix = "" if wet_run else "[dry run] "
        for line in lines:
            self.stdout.write(prefix + line)
        if not wet_run:
            self.stdout.write(f"{prefix}{len(lines)} action(s) would be taken. Run with --wet-run to act.")
