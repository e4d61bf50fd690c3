from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.places.models import PlaceCorrection
from tests.conftest import verified_session
from tests.places.factories import listing_form, new_place

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)


@pytest.fixture
def stale_place(library):
    """A place of the demo library, last updated long ago."""
    return new_place(
        library,
        "Espace numérique Toussaint",
        commune_id="49007",
        updated_on=date(2025, 1, 1),
        opening_hours="Tu-Sa 10:00-18:00",
    )


def test_a_mediator_keeps_the_listing_true_and_saving_confirms_it(client, demo, stale_place):
    verified_session(client, demo.user("mediateur"))
    response = client.post(reverse("places:edit", kwargs={"place_id": stale_place.pk}), listing_form())
    assert response.status_code == 302
    stale_place.refresh_from_db()
    assert stale_place.phone == "+33241242550" and stale_place.emails == ["accueil@example.org"]
    assert stale_place.services == ["Aide aux démarches administratives"]
    assert stale_place.last_verified_on == timezone.localdate()


def test_an_unreadable_phone_or_hours_get_a_clear_error_and_nothing_typed_is_lost(client, demo, stale_place):
    verified_session(client, demo.user("mediateur"))
    response = client.post(
        reverse("places:edit", kwargs={"place_id": stale_place.pk}),
        listing_form(phone="12", opening_hours="le lundi matin", name="Nouveau nom"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"phone", "opening_hours"}
    html = response.content.decode()
    assert 'value="le lundi matin"' in html and 'value="Nouveau nom"' in html
    stale_place.refresh_from_db()
    assert stale_place.name == "Espace numérique Toussaint"


def test_still_true_today_in_one_click(client, demo, stale_place):
    verified_session(client, demo.user("benevole"))
    assert client.post(reverse("places:confirm", kwargs={"place_id": stale_place.pk})).status_code == 302
    stale_place.refresh_from_db()
    assert stale_place.last_verified_on == timezone.localdate()


def test_viewers_and_other_organisations_cannot_edit(client, demo, stale_place):
    verified_session(client, demo.user("observateur"))
    assert client.get(reverse("places:edit", kwargs={"place_id": stale_place.pk})).status_code == 404
    verified_session(client, demo.user("association"))
    assert client.post(reverse("places:confirm", kwargs={"place_id": stale_place.pk})).status_code == 404


def test_anyone_reports_an_error_without_an_account_and_the_owner_sees_it(client, demo, stale_place):
    url = reverse("places:report", kwargs={"place_id": stale_place.pk})
    response = client.post(
        url, {"kind": "hours", "message": "Fermé le samedi depuis septembre", "reporter_contact": "06 12 34 56 78"}
    )
    assert response.status_code == 302
    correction = PlaceCorrection.objects.get()
    assert (correction.place, correction.kind) == (stale_place, "hours")
    verified_session(client, demo.user("admin"))
    assert "Fermé le samedi depuis septembre" in client.get(reverse("places:mine")).content.decode()
    coordinator = demo.user("coordination")
    assert PlaceCorrection.objects.visible_to(coordinator).filter(pk=correction.pk).exists()
    assert not PlaceCorrection.objects.visible_to(demo.user("association")).exists()
    client.post(reverse("places:correction_resolve", kwargs={"correction_id": correction.pk}))
    assert not PlaceCorrection.objects.open().exists()
    correction.refresh_from_db()
    assert correction.reporter_contact == "", "the contact is erased once the report is handled"


def test_robots_filling_the_hidden_field_are_thanked_and_ignored(client, stale_place):
    url = reverse("places:report", kwargs={"place_id": stale_place.pk})
    assert client.post(url, {"kind": "other", "message": "buy pills", "website": "http://spam"}).status_code == 302
    assert not PlaceCorrection.objects.exists()


def test_a_listing_not_checked_for_six_months_is_flagged_and_its_owners_reminded(client, demo, stale_place):
    html = client.get(reverse("places:detail", kwargs={"place_id": stale_place.pk})).content.decode()
    assert 'class="notice"' in html
    output = StringIO()
    call_command("remind_stale_places", stdout=output)
    assert "[dry run]" in output.getvalue() and mail.outbox == []
    call_command("remind_stale_places", "--wet-run", stdout=StringIO())
    to_the_library = [message for message in mail.outbox if "admin@demo.maillage.test" in message.to]
    assert len(to_the_library) == 1  # one message an organisation, whatever its number of stale places
    stale_place.last_verified_on = timezone.localdate() - timedelta(days=10)
    stale_place.save()
    html = client.get(reverse("places:detail", kwargs={"place_id": stale_place.pk})).content.decode()
    assert 'class="notice"' not in html


def test_viewers_never_see_who_reported_an_error(client, demo, stale_place):
    PlaceCorrection.objects.create(place=stale_place, kind="phone", reporter_contact="06 12 34 56 78")
    assert not PlaceCorrection.objects.visible_to(demo.user("observateur")).exists()
    assert not PlaceCorrection.objects.visible_to(demo.user("financeur")).exists()
    assert PlaceCorrection.objects.visible_to(demo.user("mediateur")).exists()


def test_reports_count_when_sent_not_when_mistyped_and_the_wait_keeps_what_was_typed(client, stale_place, monkeypatch):
    from types import SimpleNamespace

    from maillage import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    url = reverse("places:report", kwargs={"place_id": stale_place.pk})
    for _mistake in range(20):  # a desk's public computer, people forgetting to say what is wrong
        assert client.post(url, {"kind": "", "message": "Fermé"}).status_code == 200
    for number in range(5):
        assert client.post(url, {"kind": "hours", "message": f"Fermé le samedi {number}"}).status_code == 302
    refused = client.post(url, {"kind": "phone", "message": "Le numéro a changé : 02 41 00 00 00"})

    assert refused.status_code == 429
    html = refused.content.decode()
    assert 'name="message" value="Le numéro a changé : 02 41 00 00 00"' in html and f'action="{url}"' in html
    assert "Envoyer à nouveau" in html and PlaceCorrection.objects.count() == 5
