from maillage.management.wet_run import WetRunCommand
from maillage.passes import upkeep


class Command(WetRunCommand):
    help = (
        "Daily upkeep of the Pass numérique: warn funders and distributors 30 and 15 days before a programme's "
        "passes stop, expire unused passes after the end date and grace period and refund them to the funder. "
        "Dry run by default: says what it would do; --wet-run acts."
    )

    def run(self, act, **options):
        return upkeep.run(act=act)
