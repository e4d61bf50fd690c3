from django.conf import settings
from django.core.management.base import BaseCommand

from maillage.territory.reference import REFERENCE_FILE, build_reference_rows, write_reference_file


class Command(BaseCommand):
    help = "Rebuild territory/data/communes.csv.gz from the public datasets in ../shared/data."

    def add_arguments(self, parser):
        parser.add_argument("--shared-data", default=str(settings.BASE_DIR.parent / "shared" / "data"))

    def handle(self, *args, shared_data, **options):
        count = write_reference_file(build_reference_rows(shared_data))
        self.stdout.write(f"{count} communes written to {REFERENCE_FILE}")
