from django.core.management.base import BaseCommand

from maillage.territory.reference import load_reference, read_reference_file


class Command(BaseCommand):
    help = "Load (or refresh) the communes reference shipped with the project. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--department",
            action="append",
            dest="departments",
            help="Only this département code (repeatable); all of France by default.",
        )

    def handle(self, *args, departments=None, **options):
        count = load_reference(read_reference_file(), departments=set(departments or []))
        self.stdout.write(f"{count} communes loaded.")
