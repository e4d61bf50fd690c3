"""A mediator records an accompaniment in a few taps, corrects it, and nobody else reads it."""

import datetime
import re

import pytest
from django.utils import timezone

from maillage.activities import services
from maillage.activities.models import Accompaniment
from maillage.activities.services import RecordRefused
from tests.activities.factories import record_form
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]


def session(client, demo, local_part):
    return verified_session(client, demo.user(local_part))


def test_the_common_case_needs_only_how_long_a_theme_and_autonomy(client, demo, library):
    mediator = session(client, demo, "mediateur")
    page = mediator.get("/activites/nouvelle/").content.decode()
    assert re.search(r'name="kind" value="individual"[^>]*checked', page)
    assert re.search(r'name="outcome" value="done"[^>]*checked', page)
    assert f'name="day" value="{timezone.localdate():%d/%m/%Y}"' in page
    place = library.places.order_by("name").first()
    response = mediator.post("/activites/nouvelle/", record_form(place=place.pk))
    assert response["Location"] == "/ma-semaine/"
    record = Accompaniment.objects.get()
    assert (record.organization, record.author, record.place, record.duration_minutes, record.themes) == (
        library,
        demo.user("mediateur"),
        place,
        30,
        ["email"],
    )
    assert "30 minutes" in mediator.get("/activites/").content.decode()


def test_a_form_with_mistakes_says_what_to_fix_and_keeps_what_was_chosen(client, demo, library):
    mediator = session(client, demo, "mediateur")
    page = mediator.post(
        "/activites/nouvelle/", record_form(themes=[], duration="other", outcome="referred", note="Rappeler jeudi")
    ).content.decode()
    assert "Choisissez au moins un thème" in page and "Tapez la durée en minutes" in page
    assert "Dites vers où la personne a été orientée" in page and "Rappeler jeudi" in page
    assert not Accompaniment.objects.exists()


def test_administrative_subthemes_are_kept_only_with_the_administrative_theme(library, demo):
    fields = {"day": timezone.localdate(), "duration_minutes": 45, "setting": "remote", "autonomy": "done_for"}
    administrative = ["administrative_procedures"]
    with_admin = services.record(
        organization=library,
        author=demo.user("mediateur"),
        **fields,
        themes=administrative,
        administrative_subthemes=["housing"],
    )
    without = services.record(
        organization=library,
        author=demo.user("mediateur"),
        **fields,
        themes=["email"],
        administrative_subthemes=["housing"],
    )
    assert with_admin.administrative_subthemes == ["housing"] and without.administrative_subthemes == []
    with pytest.raises(RecordRefused):
        services.record(organization=library, author=demo.user("mediateur"), **fields, themes=["astrology"])


def test_its_author_corrects_a_record_in_place_then_later_as_a_new_version(library, demo, settings):
    mediator = demo.user("mediateur")
    record = services.record(
        organization=library,
        author=mediator,
        day=timezone.localdate(),
        duration_minutes=30,
        setting="remote",
        themes=["email"],
        autonomy="with_help",
    )
    same = services.correct(record, by=mediator, duration_minutes=45)
    assert same.pk == record.pk and Accompaniment.objects.get().duration_minutes == 45

    Accompaniment.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(hours=73))
    record.refresh_from_db()
    newer = services.correct(record, by=mediator, duration_minutes=60)
    assert newer.pk != record.pk and newer.replaces == record and newer.themes == ["email"]
    assert list(Accompaniment.objects.current()) == [newer] and Accompaniment.objects.count() == 2
    with pytest.raises(RecordRefused):
        services.correct(Accompaniment.objects.get(pk=record.pk), by=mediator, duration_minutes=90)
    with pytest.raises(RecordRefused):
        services.delete_record(Accompaniment.objects.get(pk=record.pk), by=mediator)


def test_deleting_a_fresh_correction_brings_back_the_version_it_replaced(library, demo):
    mediator = demo.user("mediateur")
    record = services.record(
        organization=library,
        author=mediator,
        day=timezone.localdate(),
        duration_minutes=30,
        setting="remote",
        themes=["email"],
        autonomy="with_help",
    )
    Accompaniment.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    record.refresh_from_db()
    newer = services.correct(record, by=mediator, duration_minutes=60)
    services.delete_record(newer, by=mediator)
    assert list(Accompaniment.objects.current()) == [record]


def test_records_are_read_by_their_author_and_the_organisations_administrators_only(client, demo, library):
    record = services.record(
        organization=library,
        author=demo.user("mediateur"),
        day=timezone.localdate(),
        duration_minutes=30,
        setting="remote",
        themes=["email"],
        autonomy="alone",
    )
    url = f"/activites/{record.pk}/corriger/"
    assert session(client, demo, "mediateur").get(url).status_code == 200
    assert session(client, demo, "admin").get(url).status_code == 200
    assert session(client, demo, "benevole").get(url).status_code == 404
    assert session(client, demo, "association").get(url).status_code == 404
    assert session(client, demo, "observateur").get("/activites/nouvelle/").status_code == 404


def test_my_accompaniments_show_this_weeks_time_and_delete_a_fresh_mistake(client, demo, library):
    mediator = session(client, demo, "mediateur")
    record = services.record(
        organization=library,
        author=demo.user("mediateur"),
        day=timezone.localdate(),
        duration_minutes=45,
        setting="remote",
        themes=["email"],
        autonomy="alone",
    )
    page = mediator.get("/activites/").content.decode()
    assert "45 minutes" in page
    mediator.post(f"/activites/{record.pk}/supprimer/")
    assert not Accompaniment.objects.exists()


def test_notes_are_erased_a_year_after_the_accompaniment_and_the_record_stays(library, demo):
    from django.core.management import call_command

    old = services.record(
        organization=library,
        author=demo.user("mediateur"),
        duration_minutes=30,
        setting="remote",
        day=timezone.localdate() - datetime.timedelta(days=400),
        themes=["email"],
        autonomy="alone",
        note="Revoir la boîte mail",
    )
    recent = services.record(
        organization=library,
        author=demo.user("mediateur"),
        duration_minutes=30,
        setting="remote",
        day=timezone.localdate(),
        themes=["email"],
        autonomy="alone",
        note="Revoir jeudi",
    )
    call_command("purge_activity_data")  # dry run
    assert Accompaniment.objects.get(pk=old.pk).note
    call_command("purge_activity_data", "--wet-run")
    assert Accompaniment.objects.get(pk=old.pk).note == "" and Accompaniment.objects.get(pk=recent.pk).note


def test_my_week_shows_my_appointments_and_offers_to_record_a_closed_request_prefilled(client, demo, library):
    from maillage.helprequests import services as help_services
    from tests.helprequests.factories import new_request

    mediator_user = demo.user("mediateur")
    place = library.places.order_by("name").first()
    booked = new_request(place=place, need="emails")
    help_services.accept(booked, mediator_user)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    help_services.book(booked, mediator_user, tomorrow, place=place)
    done = new_request(place=place, need="demarches")
    help_services.accept(done, mediator_user)
    help_services.close(done, mediator_user, "helped")

    mediator = session(client, demo, "mediateur")
    page = mediator.get("/ma-semaine/").content.decode()
    assert f"/demandes/{booked.pk}/" in page and f"?demande={done.pk}" in page
    form = mediator.get(f"/activites/nouvelle/?demande={done.pk}").content.decode()
    assert re.search(r'name="themes" value="administrative_procedures"[^>]*checked', form)
    assert done.reference in form
    mediator.post(
        f"/activites/nouvelle/?demande={done.pk}",
        record_form(place=place.pk, themes=["administrative_procedures"], help_request=done.pk),
    )
    assert Accompaniment.objects.get().help_request == done
    assert f"?demande={done.pk}" not in mediator.get("/ma-semaine/").content.decode()


def test_a_request_of_another_organisation_prefills_nothing(client, demo, library):
    from tests.helprequests.factories import new_request

    other = new_request(need="emails")  # waiting for a place: not the mediator's
    page = session(client, demo, "mediateur").get(f"/activites/nouvelle/?demande={other.pk}").content.decode()
    assert other.reference not in page


def test_an_accompaniment_still_to_come_is_refused_it_would_count_minutes_not_given(client, demo, library):
    mediator = session(client, demo, "mediateur")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    place = library.places.order_by("name").first()
    page = mediator.post(
        "/activites/nouvelle/", record_form(place=place.pk, day=f"{tomorrow:%d/%m/%Y}", note="Prévu demain")
    ).content.decode()
    assert "Ce jour n’est pas encore arrivé" in page and "Prévu demain" in page
    assert not Accompaniment.objects.exists()
    with pytest.raises(RecordRefused):
        services.record(
            organization=library,
            author=demo.user("mediateur"),
            day=tomorrow,
            duration_minutes=30,
            setting="remote",
            autonomy="done_for",
            themes=["email"],
        )
