from django.conf import settings

from maillage.management.wet_run import WetRunCommand
from maillage.places import services


class Command(WetRunCommand):
    help = (
        "Remind the administrators of organisations whose places were not checked for 6 months. "
        "Dry run by default: says what it would send; --wet-run sends."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--base-url", default=settings.SITE_URL, help="The site's address, for the link")

    def run(self, act, base_url, **options):
        return services.remind_stale_owners(act, base_url=base_url)
