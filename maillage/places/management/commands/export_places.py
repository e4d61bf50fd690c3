from collections import Counter

from django.core.management.base import BaseCommand

from maillage.places.exports import FORMATS, export_chunks


class Command(BaseCommand):
    help = (
        "Export the published places as open data: standard-mediation-num v1.0.1 (csv, json, geojson) "
        'or data·inclusion v1 (data-inclusion: {"structures": [...], "services": [...]}).'
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="File to write (standard output by default)")

    def handle(self, *args, format, output=None, **options):
        left_out = Counter()
        chunks = export_chunks(format, left_out=left_out)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(chunks)
        else:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
        for reason, count in sorted(left_out.items()):
            self.stderr.write(f"{count} published place(s) left out of the standard: {reason}")
