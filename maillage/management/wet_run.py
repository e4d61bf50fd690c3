"""The skeleton of every scheduled job: a dry run by default, which says what it would do; ``--wet-run`` acts."""

from django.core.management.base import BaseCommand

DRY_RUN = "[dry run] "


class WetRunCommand(BaseCommand):
    """Subclasses write ``run(act, **options)``: it acts only when ``act`` is true and returns the lines
    that say what it did, or would do."""

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really act (without it: say what would be done)")

    def run(self, act, **options):
        raise NotImplementedError

    def handle(self, *args, wet_run=False, **options):
        prefix = "" if wet_run else DRY_RUN
        for line in self.run(wet_run, **options):
            self.stdout.write(prefix + line)
        if not wet_run:
            self.stdout.write(f"{DRY_RUN}Nothing was changed. Run with --wet-run to act.")
