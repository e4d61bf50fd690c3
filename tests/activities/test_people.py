"""Beneficiary records: consented, read within their organisation only, every reading journaled;
merging and deleting keep the statistics right."""

import json

import pytest
from django.utils import timezone

from maillage.accounts.models import AuditEvent, Organization
from maillage.activities import beneficiaries, services
from maillage.activities.models import Accompaniment, Beneficiary
from tests.accounts.factories import MembershipFactory, with_second_factor
from tests.activities.factories import days_ago, new_person, new_record
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]


PERSON_FORM = {
    "first_name": "Yvette",
    "birth_year_band": "75_plus",
    "phone": "06 12 34 56 78",
    "email": "",
    "consent_way": "oral",
    "consent_purposes": ["follow_up", "contact"],
    "consent_given": "on",
}


def test_a_record_needs_the_persons_agreement_and_keeps_what_was_typed(client, demo, library):
    mediator = verified_session(client, demo.user("mediateur"))
    page = mediator.post("/personnes/nouvelle/", {**PERSON_FORM, "consent_given": "", "phone": ""}).content.decode()
    assert "Sans son accord, enregistrez anonymement" in page
    assert "tapez son numéro de téléphone ou son e-mail" in page
    assert 'value="Yvette"' in page and not Beneficiary.objects.exists()
    response = mediator.post("/personnes/nouvelle/", PERSON_FORM)
    yvette = Beneficiary.objects.get()
    assert response["Location"] == f"/personnes/{yvette.pk}/"
    assert (yvette.organization, yvette.phone, yvette.consent_purposes) == (
        library,
        "+33612345678",
        ["follow_up", "contact"],
    )
    assert yvette.consent_at is not None and yvette.consent_way == "oral"


def test_records_are_read_within_the_organisation_only_and_every_reading_is_journaled(client, demo, library):
    yvette = new_person(library, demo.user("mediateur"))
    new_record(library, demo.user("mediateur"), beneficiary=yvette)
    for outsider in ("association", "ccas", "coordination", "observateur"):
        other = verified_session(client, demo.user(outsider))
        for url in (
            f"/personnes/{yvette.pk}/",
            f"/personnes/{yvette.pk}/donnees/",
            f"/personnes/{yvette.pk}/donnees.json",
            f"/personnes/{yvette.pk}/modifier/",
        ):
            assert other.get(url).status_code == 404, (outsider, url)
        assert "Yvette" not in other.get("/personnes/").content.decode()
        client.logout()
    colleague = verified_session(client, demo.user("benevole"))
    before = AuditEvent.objects.count()
    assert "Yvette" in colleague.get(f"/personnes/{yvette.pk}/").content.decode()
    assert "Yvette" in colleague.get("/personnes/?q=yve").content.decode()
    data = json.loads(colleague.get(f"/personnes/{yvette.pk}/donnees.json").content)
    assert data["record"]["first_name"] == "Yvette" and len(data["accompaniments"]) == 1
    assert "Yvette" in colleague.get(f"/personnes/{yvette.pk}/donnees/").content.decode()
    events = list(AuditEvent.objects.order_by("pk")[before:].values_list("action", "target_id"))
    assert events == [
        ("personal_record_viewed", str(yvette.pk)),
        ("personal_record_viewed", str(library.pk)),
        ("export", str(yvette.pk)),
        ("export", str(yvette.pk)),
    ]


def test_a_record_names_a_person_of_its_own_organisation_only(demo, library):
    association = Organization.objects.get(name=demo.user("association").memberships.get().organization.name)
    stranger = beneficiaries.record_person(
        organization=association,
        by=demo.user("association"),
        first_name="Paul",
        consent_way="oral",
        consent_purposes=["follow_up"],
    )
    with pytest.raises(services.RecordRefused):
        new_record(library, demo.user("mediateur"), beneficiary=stranger)


def test_the_first_accompaniment_is_worked_out_from_the_history(demo, library):
    yvette = new_person(library, demo.user("mediateur"))
    later = new_record(library, demo.user("mediateur"), beneficiary=yvette, day=days_ago(1))
    earlier = new_record(library, demo.user("mediateur"), beneficiary=yvette, day=days_ago(5))
    later.refresh_from_db()
    assert (earlier.first_time, later.first_time) == (True, False)
    services.delete_record(earlier, by=demo.user("mediateur"))
    later.refresh_from_db()
    assert later.first_time


def statistics(library):
    records = Accompaniment.objects.current().filter(organization=library)
    return {
        "records": records.count(),
        "minutes": sum(records.values_list("duration_minutes", flat=True)),
        "first_times": records.filter(first_time=True).count(),
        "people": records.exclude(beneficiary=None).values("beneficiary").distinct().count(),
    }


def test_merging_two_records_of_one_person_keeps_the_statistics_right(client, demo, library):
    yvette = new_person(library, demo.user("mediateur"), birth_year_band="75_plus")
    duplicate = new_person(library, demo.user("mediateur"), first_name="Yvette M.", phone="+33612345678")
    new_record(library, demo.user("mediateur"), beneficiary=yvette, day=days_ago(3), duration_minutes=45)
    new_record(
        library,
        demo.user("mediateur"),
        beneficiary=duplicate,
        day=days_ago(10),
        duration_minutes=30,
        note="Revient jeudi",
    )
    new_record(library, demo.user("mediateur"), beneficiary=duplicate, day=days_ago(1), duration_minutes=60)
    before = statistics(library)
    assert before == {"records": 3, "minutes": 135, "first_times": 2, "people": 2}
    mediator = verified_session(client, demo.user("mediateur"))
    page = mediator.post(f"/personnes/{yvette.pk}/fusionner/", {"duplicate": duplicate.pk}).content.decode()
    assert "Cochez la case" in page
    mediator.post(f"/personnes/{yvette.pk}/fusionner/", {"duplicate": duplicate.pk, "confirmed": "on"})
    yvette.refresh_from_db()
    duplicate.refresh_from_db()
    assert statistics(library) == {"records": 3, "minutes": 135, "first_times": 1, "people": 1}
    assert yvette.accompaniments.order_by("day").first().first_time  # the earliest, from the duplicate
    assert (yvette.phone, yvette.birth_year_band) == ("+33612345678", "75_plus")
    assert (duplicate.merged_into, duplicate.first_name, duplicate.phone) == (yvette, "", "")
    assert mediator.get(f"/personnes/{duplicate.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="personal_records_merged", target_id=str(yvette.pk)).exists()


def test_deleting_a_record_erases_the_person_and_keeps_their_accompaniments_in_the_statistics(client, demo, library):
    yvette = new_person(library, demo.user("mediateur"), phone="+33612345678")
    new_record(library, demo.user("mediateur"), beneficiary=yvette, day=days_ago(2), note="Revient avec sa fille")
    new_record(library, demo.user("mediateur"), beneficiary=yvette)
    before = statistics(library)
    mediator = verified_session(client, demo.user("mediateur"))
    assert "ne peut pas être annulé" in mediator.get(f"/personnes/{yvette.pk}/supprimer/").content.decode()
    assert mediator.post(f"/personnes/{yvette.pk}/supprimer/")["Location"] == "/personnes/"
    yvette.refresh_from_db()
    assert (yvette.first_name, yvette.phone, yvette.anonymised_at is not None) == ("", "", True)
    assert statistics(library) == before
    assert not Accompaniment.objects.exclude(note="").exists()
    assert mediator.get(f"/personnes/{yvette.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="personal_record_anonymised", target_label=f"#{yvette.pk}").exists()


def test_an_accompaniment_is_recorded_for_a_person_from_their_record(client, demo, library):
    yvette = new_person(library, demo.user("mediateur"))
    mediator = verified_session(client, demo.user("mediateur"))
    page = mediator.get(f"/activites/nouvelle/?personne={yvette.pk}").content.decode()
    assert f'<option value="{yvette.pk}" selected>Yvette</option>' in page
    place = library.places.order_by("name").first()
    mediator.post(
        f"/activites/nouvelle/?personne={yvette.pk}",
        {
            "kind": "individual",
            "day": timezone.localdate().strftime("%d/%m/%Y"),
            "duration": "30",
            "setting": "place",
            "place": place.pk,
            "themes": ["email"],
            "autonomy": "alone",
            "outcome": "done",
            "participants": "1",
            "beneficiary": yvette.pk,
        },
    )
    record = Accompaniment.objects.get()
    assert (record.beneficiary, record.first_time) == (yvette, True)
    assert "Yvette" not in verified_session(client, demo.user("association")).get("/activites/").content.decode()


def test_passes_taken_are_linked_to_the_record_once(client, communes):

    from maillage.passes import services as pass_services
    from tests.passes.factories import handed_out_booklet, pass_world

    world = pass_world()
    booklet = handed_out_booklet(world)
    codes = list(booklet.passes.order_by("position").values_list("code", flat=True))
    taken, _ = pass_services.redeem(codes[0], place=world.place, service="individual", by=world.mediator)
    with_second_factor(world.mediator)
    mediator = verified_session(client, world.mediator)
    page = mediator.get("/activites/nouvelle/").content.decode()
    assert "Pass numérique encaissés pour cet accompagnement" in page and f'value="{taken.pk}"' in page
    mediator.post(
        "/activites/nouvelle/",
        {
            "kind": "individual",
            "day": timezone.localdate().strftime("%d/%m/%Y"),
            "duration": "60",
            "setting": "place",
            "place": world.place.pk,
            "themes": ["email"],
            "autonomy": "alone",
            "outcome": "done",
            "participants": "1",
            "redemptions": [taken.pk],
        },
    )
    record = Accompaniment.objects.get()
    assert list(record.redemptions.all()) == [taken]
    # Linked once: the next record does not offer it again, and without passes the question is not asked.
    assert "Pass numérique encaissés" not in mediator.get("/activites/nouvelle/").content.decode()


def test_a_member_of_two_organisations_says_whose_record_it_is_and_the_form_counts_once(client, demo, library):
    association = demo.user("association").memberships.get().organization
    MembershipFactory(user=demo.user("mediateur"), organization=association)
    mediator = verified_session(client, demo.user("mediateur"))
    page = mediator.get("/personnes/nouvelle/").content.decode()
    assert "Quelle structure accompagne la personne" in page
    form = {**PERSON_FORM, "organization": library.pk, "submission_key": "d" * 32}
    mediator.post("/personnes/nouvelle/", form)
    mediator.post("/personnes/nouvelle/", form)
    assert list(Beneficiary.objects.values_list("organization", flat=True)) == [library.pk]


def test_the_record_form_lists_nobodys_name_and_the_journal_keeps_no_name_after_deletion(client, demo, library):
    yvette = new_person(library, demo.user("mediateur"), first_name="Yvettezz")
    mediator = verified_session(client, demo.user("mediateur"))
    assert "Yvettezz" not in mediator.get("/activites/nouvelle/").content.decode()
    mediator.get(f"/personnes/{yvette.pk}/")
    mediator.get(f"/personnes/{yvette.pk}/fusionner/")
    mediator.get("/personnes/?q=Yvettezz")
    mediator.post(f"/personnes/{yvette.pk}/supprimer/")
    assert AuditEvent.objects.filter(action="personal_record_viewed", target_id=str(yvette.pk)).count() == 2
    assert not [event for event in AuditEvent.objects.all() if "Yvettezz" in f"{event.target_label}{event.details}"]


def test_a_double_tap_on_delete_or_merge_says_it_is_done(client, demo, library):
    yvette, duplicate = (
        new_person(library, demo.user("mediateur")),
        new_person(library, demo.user("mediateur"), first_name="Yvette M."),
    )
    mediator = verified_session(client, demo.user("mediateur"))
    form = {"duplicate": duplicate.pk, "confirmed": "on"}
    mediator.post(f"/personnes/{yvette.pk}/fusionner/", form)
    assert mediator.post(f"/personnes/{yvette.pk}/fusionner/", form)["Location"] == f"/personnes/{yvette.pk}/"
    mediator.post(f"/personnes/{yvette.pk}/supprimer/")
    assert mediator.post(f"/personnes/{yvette.pk}/supprimer/")["Location"] == "/personnes/"


def test_opening_the_record_form_for_a_person_is_a_reading_of_their_record(client, demo, library):
    yvette = new_person(library, demo.user("mediateur"))
    verified_session(client, demo.user("mediateur")).get(f"/activites/nouvelle/?personne={yvette.pk}")
    assert AuditEvent.objects.filter(
        action="personal_record_viewed", target_id=str(yvette.pk), target_label=f"#{yvette.pk}"
    ).exists()


# str.isdigit() took the first two, and the database refused them: 500
@pytest.mark.parametrize("text", ["²", "٣", "9" * 30, "x"])
def test_member_pages_answer_an_unusual_id_as_an_unknown_one(client, demo, library, text):
    yvette = new_person(library, demo.user("mediateur"))
    mediator = verified_session(client, demo.user("mediateur"))
    assert mediator.get(f"/activites/nouvelle/?personne={text}").status_code == 200
    assert mediator.get(f"/activites/nouvelle/?demande={text}").status_code == 200
    merge = mediator.post(f"/personnes/{yvette.pk}/fusionner/", {"duplicate": text, "confirmed": "on"})
    assert merge.status_code in {200, 400}
    admin = verified_session(client, demo.user("admin"))
    assert admin.get(f"/activites/export.csv?organisation={text}").status_code == 404
