from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.places.importers.communes import CommuneLocator
from maillage.places.importers.pipeline import (
    DuplicateIndex,
    import_file,
    refresh_planner_statistics,
    write_rejections,
)
from maillage.places.importers.readers import FileRefused


class Command(BaseCommand):
    help = (
        "Import help places from CSV, JSON or GeoJSON files (standard-mediation-num v1/v0.1 and hybrids, "
        "mednum-cli sources with their config, France Services, Aidants Connect, Conseillers numériques). "
        "Each file applies whole or not at all; re-importing changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--source", help="Source name (default: decided from the file)")
        parser.add_argument("--dry-run", action="store_true", help="Read and check everything, save nothing")
        parser.add_argument(
            "--report",
            default=str(settings.VAR_DIR / "import-rejections.csv"),
            help="CSV of rejected rows and why (default: var/import-rejections.csv)",
        )

    def handle(self, *args, paths, source=None, dry_run=False, report, **options):
        files = [path for path in map(Path, paths) if not path.name.endswith(".config.json")]
        if source and len(files) > 1:
            raise CommandError("--source names one file's rows: give one file at a time with it.")
        missing = [str(path) for path in files if not path.exists()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        locator, duplicates = CommuneLocator(), None if dry_run else DuplicateIndex()
        reports = []
        refused = []
        for path in files:
            try:
                result = import_file(path, source=source, dry_run=dry_run, locator=locator, duplicates=duplicates)
            except FileRefused as refusal:  # read in one transaction: nothing of the file was applied
                self.stderr.write(f"Refused: {refusal}")
                refused.append(path.name)
                continue
            reports.append(result)
            self.stdout.write(("[dry run] " if dry_run else "") + result.summary())
            for warning, count in result.warnings.most_common():
                self.stdout.write(f"    {count} × {warning}")
        if not dry_run:
            refresh_planner_statistics()
        rows = sum(result.rows for result in reports)
        accepted = sum(result.accepted for result in reports)
        write_rejections(reports, report)
        share = 100 * accepted / rows if rows else 100
        self.stdout.write(f"Total: {rows} rows, {accepted} accepted ({share:.2f} %), rejections listed in {report}")
        if refused:
            raise CommandError(f"{len(refused)} file(s) refused whole, nothing of them imported: {', '.join(refused)}")
