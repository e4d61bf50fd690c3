"""Property: whatever the data, the funder's report shows no figure about 1 to 4 people, and no
breakdown hides a single group (the others and the total would give it)."""

from collections import Counter, defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.passes import reports, services
from maillage.passes.models import AgeBand, Public, Service
from maillage.small_groups import SMALLEST_GROUP
from maillage.territory.models import Commune
from tests.passes.factories import pass_world

pytestmark = pytest.mark.django_db

PASSES_EACH = 5  # the smallest booklet
COMMUNES = ["49007", "49099", "49328"]  # Angers, Cholet, Saumur
person = st.fixed_dictionaries(
    {
        "commune": st.sampled_from(COMMUNES),
        "public": st.sampled_from([value for value, _label in Public.choices]),
        "age_band": st.sampled_from([value for value, _label in AgeBand.choices]),
        "uses": st.lists(st.sampled_from(["individual", "workshop"]), max_size=PASSES_EACH - 1),
        "blocked": st.booleans(),
    }
)


def _about_few(people):
    return 0 < people < SMALLEST_GROUP


def _check_breakdown(rows, people_of_label, name):
    for row in rows:
        assert not (row.shown and _about_few(people_of_label[row.label])), (name, row)
    hidden = [row for row in rows if not row.shown]
    assert len(hidden) != 1 or len(rows) == 1, (name, rows)


@settings(max_examples=20, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(people=st.lists(person, min_size=1, max_size=9))
def test_no_figure_of_the_funders_report_is_about_fewer_than_5_people(communes, people):
    with transaction.atomic():  # each example starts from the same database
        _check_report(people)
        transaction.set_rollback(True)


def _check_report(people):
    world = pass_world(department_codes=["49"])
    order = services.order_passes(
        world.program, pass_count=PASSES_EACH * len(people), booklet_size=PASSES_EACH, by=world.funder_member
    )
    services.mark_order_paid(order, by=world.coordinator)
    booklets = services.assign_booklets(order, distributor=world.distributor, count=len(people), by=world.coordinator)
    fates = defaultdict(set)  # fate -> the people it is about (by their index)
    by_service = defaultdict(set)
    for index, (someone, booklet) in enumerate(zip(people, booklets, strict=True)):
        services.hand_out(
            booklet,
            distributor=world.distributor,
            by=world.distributor_member,
            commune=Commune.objects.get(pk=someone["commune"]),
            public=someone["public"],
            age_band=someone["age_band"],
        )
        passes = list(booklet.passes.order_by("position"))
        for pass_item, service in zip(passes, someone["uses"], strict=False):
            services.redeem(pass_item.code, place=world.place, service=service, by=world.mediator)
            fates["used"].add(index)
            by_service[service].add(index)
        left = passes[len(someone["uses"]) :]
        if someone["blocked"]:
            services.block(left[0], reason="perdu", by=world.distributor_member)
            fates["blocked"].add(index)
            left = left[1:]
        if left:
            fates["to_use"].add(index)

    report = reports.program_report(world.program)
    assert not (report["people"].shown and _about_few(len(people)))
    assert not (report["handed_out"].shown and _about_few(len(people)))
    for figure, fate in [("used", "used"), ("value_used_cents", "used"), ("hours", "used"), ("blocked", "blocked")]:
        assert not (report[figure].shown and _about_few(len(fates[fate]))), (figure, fates[fate])

    labels = {
        "by_commune": ("commune", {code: Commune.objects.get(pk=code).name for code in COMMUNES}),
        "by_public": ("public", dict(Public.choices)),
        "by_age": ("age_band", dict(AgeBand.choices)),
    }
    for breakdown, (key, label_of) in labels.items():
        counts = Counter(str(label_of[someone[key]]) for someone in people)
        _check_breakdown(report[breakdown], counts, breakdown)
    people_by_service = {str(label): len(by_service[key]) for key, label in Service.choices}
    _check_breakdown(report["by_service"], people_by_service, "by_service")
