"""What funders and places see of the Pass numérique: counts, money and hours — never a person.

Breakdowns by commune, public and age count people (handovers: what one person was given), by
service they count passes used. Every figure of a programme's report is about a group of people
(those it was handed out to, those who used it…) and is hidden when that group has 1 to 4 people
(maillage/small_groups.py): "10 handed out to 1 person" would be that person's.
"""

import csv
import io
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from maillage.months import bounds as month_bounds
from maillage.passes.models import AgeBand, Handover, Pass, PassStatus, Public, Redemption, Service
from maillage.passes.states import USED
from maillage.small_groups import SMALLEST_GROUP, rows_with_small_groups_hidden


@dataclass
class Figure:
    """A figure of the report and whether it may be shown: hidden when it is about 1 to 4 people."""

    value: int | float
    shown: bool = True


def _about(people):
    """Whether a figure about ``people`` people may be shown: none, or at least SMALLEST_GROUP."""
    return people == 0 or people >= SMALLEST_GROUP


def _people_by(handovers, field, labels=None):
    return rows_with_small_groups_hidden(
        ((key, n, n) for key, n in handovers.values_list(field).annotate(n=Count("pk"))), labels
    )


# What became of the passes handed out: a breakdown whose cells are groups of people.
FATES = {
    "to_use": [PassStatus.HANDED_OUT],
    "used": sorted(USED),
    "expired": [PassStatus.EXPIRED],
    "blocked": [PassStatus.BLOCKED],
}


def _fates_shown(passes):
    """Which fates of the handed-out passes may be shown, in one query.

    A fate is hidden when it is about 1 to 4 people, and with it the next smallest when it is alone:
    the passes handed out minus the others would give it.
    """
    counts = passes.exclude(handover__isnull=True).aggregate(
        **{
            aggregate: function
            for fate, statuses in FATES.items()
            for aggregate, function in (
                (f"{fate}_passes", Count("pk", filter=Q(status__in=statuses))),
                (f"{fate}_people", Count("handover", distinct=True, filter=Q(status__in=statuses))),
            )
        }
    )
    triples = [(fate, counts[f"{fate}_passes"], counts[f"{fate}_people"]) for fate in FATES if counts[f"{fate}_passes"]]
    return {row.label: row.shown for row in rows_with_small_groups_hidden(triples)}


def program_report(program):
    """The programme's figures for its funder and the coordination, each hidden when it is about 1 to
    4 people: passes handed out to them, used by them, expired or blocked in their hands, and every
    breakdown (small groups hidden, with the next smallest when one alone would be)."""
    passes = Pass.objects.filter(program=program)
    by_status = dict(passes.values_list("status").annotate(n=Count("pk")))
    used = Redemption.objects.active().filter(program=program)
    handovers = Handover.objects.filter(pk__in=passes.values("handover"))
    people = handovers.count()
    fate_shown = _fates_shown(passes)
    totals = used.aggregate(minutes=Sum("minutes"), value=Sum("value_cents"))
    users = Count("passes__handover", distinct=True)
    people_by_service = dict(used.values_list("service").annotate(people=users))
    passes_by_service = used.values_list("service").annotate(passes=Sum("pass_count"))
    used_count = sum(by_status.get(status, 0) for status in USED)
    expired = by_status.get(PassStatus.EXPIRED, 0)
    refunded = passes.filter(status=PassStatus.EXPIRED, booklet__order__paid_at__isnull=False).count()
    return {
        # Passes ordered and waiting for payment are a distributor's stock: nobody's yet.
        "ordered": Figure(sum(by_status.values())),
        "awaiting_payment": Figure(by_status.get(PassStatus.ORDERED, 0)),
        "handed_out": Figure(passes.exclude(handover__isnull=True).count(), _about(people)),
        "people": Figure(people, _about(people)),
        "used": Figure(used_count, fate_shown.get("used", True)),
        "expired": Figure(expired, fate_shown.get("expired", True)),
        "blocked": Figure(by_status.get(PassStatus.BLOCKED, 0), fate_shown.get("blocked", True)),
        "value_used_cents": Figure(totals["value"] or 0, fate_shown.get("used", True)),
        "refunded_cents": Figure(refunded * program.face_value_cents, fate_shown.get("expired", True)),
        "hours": Figure(round((totals["minutes"] or 0) / 60, 1), fate_shown.get("used", True)),
        "by_commune": _people_by(handovers, "commune__name"),
        "by_public": _people_by(handovers, "public", dict(Public.choices)),
        "by_age": _people_by(handovers, "age_band", dict(AgeBand.choices)),
        "by_service": rows_with_small_groups_hidden(
            ((service, number, people_by_service.get(service, 0)) for service, number in passes_by_service),
            dict(Service.choices),
        ),
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
        figure = report[key]
        writer.writerow([name, "", figure.value if figure.shown else f"<{SMALLEST_GROUP}"])
    for dimension, name in CSV_BREAKDOWNS.items():
        for row in report[dimension]:
            writer.writerow([name, row.label, row.count if row.shown else f"<{SMALLEST_GROUP}"])
    return output.getvalue()


def place_figures(places, today=None):
    """This month's uses at the places, what they will be paid for them, and their statements.

    Shown only to the places' own members at their till: these are the uses they made themselves,
    person by person, and what they are owed must be exact. Nothing here leaves the place, so the
    small-groups rule, which protects people from those who never met them, does not hide them.
    """
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
