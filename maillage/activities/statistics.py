"""What a place's activity records add up to — by month, theme, outcome, kind — never a person; and
an organisation's records as rows of a CSV file.

Only current versions count: a late correction replaces its record, it does not add one. Any
group (a month, a cell of a breakdown, a figure) of fewer than 5 accompaniments is shown as
"fewer than 5" (principle 4). When a breakdown hides a single group, the next smallest is hidden
too: otherwise the total minus the groups shown would give its size. The rule is the passes
reports' own, imported so that both parts of the product hide the same groups.
"""

import csv
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from maillage.activities.models import Accompaniment, Kind, Outcome, Setting
from maillage.activities.themes import THEMES
from maillage.months import shifted
from maillage.passes.models import Redemption
from maillage.small_groups import SMALLEST_GROUP, rows_with_small_groups_hidden
from maillage.spreadsheets import Echo, cell

MONTHS_SHOWN = 12


@dataclass
class Figures:
    """How many accompaniments, for how many people, for how long: hidden together when few."""

    count: int
    people: int
    minutes: int
    shown: bool

    @property
    def hours(self):
        return self.minutes // 60

    @property
    def minutes_past_the_hour(self):
        return self.minutes % 60


@dataclass
class MonthActivity:
    start: datetime.date
    figures: Figures


@dataclass
class Share:
    """A part of the accompaniments (first ones, say), shown only when neither side is a small group."""

    part: int
    whole: int
    shown: bool

    @property
    def percent(self):
        return round(100 * self.part / self.whole) if self.whole else 0


@dataclass
class Tally:
    count: int
    shown: bool


# Months ----------------------------------------------------------------------------------------


def last_months(today, count=MONTHS_SHOWN):
    """The first days of the last ``count`` months, oldest first, the current month last."""
    this_month = today.replace(day=1)
    return [shifted(this_month, -back) for back in range(count - 1, -1, -1)]


# Figures ---------------------------------------------------------------------------------------


def records_at(place, start, end):
    """The place's records that count, from the day ``start`` to the day before ``end``."""
    return Accompaniment.objects.current().filter(place=place, day__gte=start, day__lt=end).order_by()


def figures_of(records):
    totals = records.aggregate(count=Count("pk"), people=Sum("participants"), minutes=Sum("duration_minutes"))
    count = totals["count"]
    return Figures(count, totals["people"] or 0, totals["minutes"] or 0, shown=count >= SMALLEST_GROUP)


def activity_by_month(records, months):
    """One line per month, in order. A month without any record shows 0: there is nobody to protect."""
    by_month = {
        line["month"]: line
        for line in records.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(count=Count("pk"), people=Sum("participants"), minutes=Sum("duration_minutes"))
    }
    # Months are the cells of one breakdown: a single hidden month would show as the total minus the others.
    rows = rows_with_small_groups_hidden(
        (month.isoformat(), line["count"], line["count"]) for month, line in by_month.items()
    )
    hidden = {row.label for row in rows if not row.shown}
    lines = []
    for month in months:
        line = by_month.get(month, {"count": 0, "people": 0, "minutes": 0})
        figures = Figures(
            line["count"], line["people"] or 0, line["minutes"] or 0, shown=month.isoformat() not in hidden
        )
        lines.append(MonthActivity(start=month, figures=figures))
    return lines


def accompaniments_by(records, field, labels, also_hidden=()):
    """How many accompaniments per value of ``field`` (outcome, kind, setting), small groups hidden."""
    counts = records.values_list(field).annotate(n=Count("pk"))
    return rows_with_small_groups_hidden(((key, n, n) for key, n in counts), labels, also_hidden)


def _theme_counts(records):
    return Counter(theme for themes in records.values_list("themes", flat=True) for theme in themes)


def accompaniments_by_theme(records, also_hidden=()):
    """How many accompaniments dealt with each theme (one accompaniment may count for several)."""
    counts = _theme_counts(records)
    return rows_with_small_groups_hidden(((key, n, n) for key, n in counts.items()), THEMES, also_hidden)


def _hidden_keys(counts, labels):
    """The keys a month's page hides among these counts (small, or hidden with a small one); with the
    page's labels, since they decide which of two equal groups is hidden second."""
    key_of = {str(labels.get(key, key)): key for key in counts}
    rows = rows_with_small_groups_hidden(((key, n, n) for key, n in counts.items()), labels)
    return {key_of[row.label] for row in rows if not row.shown}


def hidden_by_the_month_pages(records):
    """What the year's breakdowns must hide because a month's page hides it: the year minus the other
    months would give that month's small group. Per breakdown, the keys; for first times, a yes or no.

    One query: the months' counts are added up here, by the rules of the month's page.
    """
    months = defaultdict(lambda: {"themes": Counter(), "outcome": Counter(), "collective": 0, "first": 0, "all": 0})
    for day, themes, outcome, kind, first_time in records.values_list("day", "themes", "outcome", "kind", "first_time"):
        month = months[day.replace(day=1)]
        month["themes"].update(themes)
        month["outcome"][outcome] += 1
        month["collective"] += kind == Kind.COLLECTIVE
        month["first"] += first_time
        month["all"] += 1
    hidden = {"themes": set(), "outcome": set(), "kind": set(), "first_time": False}
    for month in months.values():
        hidden["themes"] |= _hidden_keys(month["themes"], THEMES)
        hidden["outcome"] |= _hidden_keys(month["outcome"], dict(Outcome.choices))
        if 0 < month["collective"] < SMALLEST_GROUP:  # the month's page shows its collective sessions only
            hidden["kind"].add(Kind.COLLECTIVE)
        hidden["first_time"] |= not _share(month["first"], month["all"]).shown
    return hidden


def first_time_share(records):
    """The share of accompaniments that were the person's first with the organisation.

    Its two sides (first time, again) are a breakdown: if either is a small group, both are hidden,
    since the share and the total would give it.
    """
    return _share(records.filter(first_time=True).count(), records.count())


def _share(first, whole):
    sides = [(side, n, n) for side, n in (("first", first), ("again", whole - first)) if n]
    shown = whole >= SMALLEST_GROUP and all(row.shown for row in rows_with_small_groups_hidden(sides))
    return Share(part=first, whole=whole, shown=shown)


def pass_uses_of(records):
    """How many Pass numérique uses (redemptions, not cancelled) the records are linked to."""
    uses = Redemption.objects.active().filter(accompaniments__in=records).distinct().count()
    paid = records.filter(redemptions__in=Redemption.objects.active()).distinct().count()
    # Both the uses and the accompaniments they paid for are groups of people.
    return Tally(count=uses, shown=min(uses, paid) >= SMALLEST_GROUP)


def place_activity(place, today):
    """A place's last 12 months, for its people and the coordination.

    The breakdowns count the months shown in the table only (a hidden month's page shows nothing),
    and hide what a month's page hides, or the year minus the other months would give it.
    """
    months = last_months(today)
    records = records_at(place, months[0], shifted(months[-1], 1))
    lines = activity_by_month(records, months)
    shown_months = [line.start for line in lines if line.figures.shown]
    in_shown_months = Q(pk__in=[])
    for month in shown_months:
        in_shown_months |= Q(day__gte=month, day__lt=shifted(month, 1))
    counted = records.filter(in_shown_months)
    hidden = hidden_by_the_month_pages(counted)
    first_time = first_time_share(counted)
    first_time.shown = first_time.shown and not hidden["first_time"]
    return {
        "first_month": months[0],
        "last_month": months[-1],
        "months": lines,
        "total": figures_of(records),
        "some_months_hidden": any(not line.figures.shown for line in lines),
        "themes": accompaniments_by_theme(counted, hidden["themes"]),
        "outcomes": accompaniments_by(counted, "outcome", dict(Outcome.choices), hidden["outcome"]),
        "kinds": accompaniments_by(counted, "kind", dict(Kind.choices), hidden["kind"]),
        "first_time": first_time,
    }


def month_summary(place, month_start, today):
    """One month at a place, to print: the same figures, plus where, collective sessions and passes."""
    records = records_at(place, month_start, shifted(month_start, 1))
    summary = {
        "total": figures_of(records),
        "first_time": first_time_share(records),
        "themes": accompaniments_by_theme(records),
        "outcomes": accompaniments_by(records, "outcome", dict(Outcome.choices)),
        "settings": accompaniments_by(records, "setting", dict(Setting.choices)),
        "collective": figures_of(records.filter(kind=Kind.COLLECTIVE)),
        "pass_uses": pass_uses_of(records),
    }
    if not _shown_among_the_last_months(place, month_start, today):
        # The 12-month table hides this month (small, or hidden with a small one): its own page must
        # not give its figures, or the table's total minus the months shown would give the small one.
        for figures in (summary["total"], summary["collective"], summary["pass_uses"], summary["first_time"]):
            figures.shown = False
        for row in (*summary["themes"], *summary["outcomes"], *summary["settings"]):
            row.shown = False
    return summary


def _shown_among_the_last_months(place, month_start, today):
    months = last_months(today)
    if month_start not in months:
        return True  # no table sums it with others: its own small groups are hidden on its page
    records = records_at(place, months[0], shifted(months[-1], 1))
    return next(line for line in activity_by_month(records, months) if line.start == month_start).figures.shown


# The organisation's records as a CSV file --------------------------------------------------------

# Column keys are stable, in French like the national formats: software reading the file relies on
# them. Values are codes, not labels.
RECORD_COLUMNS = [
    "id",
    "date",
    "type",
    "duree_minutes",
    "modalite",
    "lieu_id",
    "lieu_nom",
    "commune_code_insee",
    "thematiques",
    "sous_thematiques_demarches",
    "autonomie",
    "suite",
    "orientation",
    "participants",
    "premier_accompagnement",
    "pass_utilises",
    "seance_atelier_id",
    "remplace_id",
]
PEOPLE_COLUMNS = ["auteur_email", "beneficiaire_id", "beneficiaire_prenom", "note"]
LIST_SEPARATOR = "|"


def organization_records(organization):
    """The organisation's records that count (current versions), oldest first, ready for the file."""
    used = Q(redemptions__cancelled_at__isnull=True)
    return (
        Accompaniment.objects.current()
        .filter(organization=organization)
        .select_related("place", "author", "beneficiary")
        .annotate(passes_redeemed=Sum("redemptions__pass_count", filter=used))
        .order_by("day", "pk")
    )


def _record_row(record):
    return [
        record.pk,
        record.day.isoformat(),
        record.kind,
        record.duration_minutes,
        record.setting,
        record.place_id or "",
        cell(record.place.name if record.place else ""),
        # Only a home visit says where the person lives; elsewhere the commune is not theirs.
        record.commune_id if record.setting == Setting.HOME and record.commune_id else "",
        LIST_SEPARATOR.join(record.themes),
        LIST_SEPARATOR.join(record.administrative_subthemes),
        record.autonomy,
        record.outcome,
        cell(record.referred_to),
        record.participants,
        int(record.first_time),
        record.passes_redeemed or 0,
        record.workshop_session_id or "",
        record.replaces_id or "",
    ]


def _people_row(record):
    beneficiary = record.beneficiary
    kept = beneficiary is not None and beneficiary.anonymised_at is None
    return [
        cell(record.author.email if record.author else ""),
        record.beneficiary_id or "",
        cell(beneficiary.first_name if kept else ""),
        cell(record.note),
    ]


def records_csv_chunks(records, with_people=False):
    """The records as CSV lines (``;``-separated, for spreadsheets set to French), one chunk per line."""
    writer = csv.writer(Echo(), delimiter=";")
    yield writer.writerow(RECORD_COLUMNS + (PEOPLE_COLUMNS if with_people else []))
    for record in records.iterator(chunk_size=1000):
        yield writer.writerow(_record_row(record) + (_people_row(record) if with_people else []))
