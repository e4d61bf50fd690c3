"""What funders and places see of the Pass numérique: counts, money and hours — never a person.

Breakdowns by commune, public and age count people (handovers: what one person was given), by
service they count passes used. Small groups are hidden (maillage/small_groups.py).
"""

import csv
import io

from django.db.models import Count, Sum
from django.utils import timezone

from maillage.months import bounds as month_bounds
from maillage.passes.models import AgeBand, Handover, Pass, PassStatus, Public, Redemption, Service
from maillage.passes.states import USED
from maillage.small_groups import SMALLEST_GROUP, rows_with_small_groups_hidden


def _people_by(handovers, field, labels=None):
    return rows_with_small_groups_hidden(
        ((key, n, n) for key, n in handovers.values_list(field).annotate(n=Count("pk"))), labels
    )


def program_report(program):
    passes = Pass.objects.filter(program=program)
    by_status = dict(passes.values_list("status").annotate(n=Count("pk")))
    used = Redemption.objects.active().filter(program=program)
    handovers = Handover.objects.filter(pk__in=passes.values("handover"))
    minutes = used.aggregate(total=Sum("minutes"))["total"] or 0
    by_service = used.values_list("service").annotate(passes=Sum("pass_count"), uses=Count("pk"))
    return {
        "ordered": sum(by_status.values()),
        "awaiting_payment": by_status.get(PassStatus.ORDERED, 0),
        "handed_out": passes.exclude(handover__isnull=True).count(),
        "people": handovers.count(),
        "used": sum(by_status.get(status, 0) for status in USED),
        "expired": by_status.get(PassStatus.EXPIRED, 0),
        "blocked": by_status.get(PassStatus.BLOCKED, 0),
        "value_used_cents": used.aggregate(total=Sum("value_cents"))["total"] or 0,
        "refunded_cents": passes.filter(status=PassStatus.EXPIRED, booklet__order__paid_at__isnull=False).count()
        * program.face_value_cents,
        "hours": round(minutes / 60, 1),
        "by_commune": _people_by(handovers, "commune__name"),
        "by_public": _people_by(handovers, "public", dict(Public.choices)),
        "by_age": _people_by(handovers, "age_band", dict(AgeBand.choices)),
        "by_service": rows_with_small_groups_hidden(by_service, dict(Service.choices)),
    }


# The file's keys, in French: funders open it in a spreadsheet and read its words.
CSV_HEADER = ["indicateur", "groupe", "valeur"]
CSV_FIGURES = {
    "ordered": "pass_commandes",
    "handed_out": "pass_distribues",
    "people": "personnes",
    "used": "pass_utilises",
    "expired": "pass_expires",
    "blocked": "pass_bloques",
    "hours": "heures_financees",
}
CSV_BREAKDOWNS = {
    "by_commune": "personnes_par_commune",
    "by_public": "personnes_par_situation",
    "by_age": "personnes_par_age",
    "by_service": "pass_par_prestation",
}


def program_report_csv(program):
    """The report's breakdowns as CSV: one line per group, small groups written as "<5"."""
    report = program_report(program)
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    writer.writerow(CSV_HEADER)
    for key, name in CSV_FIGURES.items():
        writer.writerow([name, "", report[key]])
    for dimension, name in CSV_BREAKDOWNS.items():
        for row in report[dimension]:
            writer.writerow([name, row.label, row.count if row.shown else f"<{SMALLEST_GROUP}"])
    return output.getvalue()


def place_figures(places, today=None):
    """This month's uses at the places, what they will be paid for them, and their statements."""
    today = today or timezone.localdate()
    start, end = month_bounds(today)
    month = Redemption.objects.active().filter(place__in=places, redeemed_at__gte=start, redeemed_at__lt=end)
    totals = month.aggregate(passes=Sum("pass_count"), value=Sum("value_cents"), minutes=Sum("minutes"))
    waiting = Redemption.objects.active().filter(place__in=places, payout__paid_at__isnull=True)
    return {
        "month_start": start.date(),
        "passes_this_month": totals["passes"] or 0,
        "value_this_month_cents": totals["value"] or 0,
        "hours_this_month": round((totals["minutes"] or 0) / 60, 1),
        "expected_payout_cents": waiting.aggregate(total=Sum("value_cents"))["total"] or 0,
    }
