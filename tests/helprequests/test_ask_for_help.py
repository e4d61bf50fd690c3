"""/besoin-d-aide/: three short steps, no account; the confirmation and the signed follow-up link."""

import re

import pytest
from django.urls import reverse

from maillage.helprequests import links, services
from maillage.helprequests.models import ContactAttempt, HelpRequest, Origin, PersonMessage, Status
from tests.accounts.factories import UserFactory
from tests.helprequests.factories import ASK, post_step, three_steps
from tests.places.factories import helping_place, new_place

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)


@pytest.fixture
def asking(communes):
    return None


def test_a_person_asks_to_be_called_back_with_only_a_phone_and_a_postcode(client, asking):
    page = post_step(client, client.get(ASK), need="demarches")
    page = post_step(client, page, where="49000")
    assert "Plusieurs communes correspondent" in page.content.decode()  # 49000: Angers, Écouflant…
    page = post_step(client, page, where="49000", where_choice="49007")
    assert "Étape 3 sur 3" in page.content.decode()
    response = post_step(client, page, contact="call", phone="06 12 34 56 78", consent="on")
    help_request = HelpRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "helprequests:confirmation", kwargs={"token": links.token_for(help_request)}
    )
    assert (help_request.phone, help_request.commune_id, help_request.status) == ("+33612345678", "49007", Status.NEW)
    assert (help_request.origin, help_request.consent_channel, help_request.need) == (
        Origin.PERSON,
        "online",
        "demarches",
    )
    assert help_request.transitions.get().by_the_person


def test_a_slip_in_the_commune_is_asked_about_before_going_on(client, asking):
    page = post_step(client, client.get(ASK), need="demarches", for_whom="me")
    page = post_step(client, page, where="Angerss")
    html = page.content.decode()
    assert "Vouliez-vous dire" in html and "Étape 2 sur 3" in html
    assert "Angers (49000) — Maine-et-Loire" in html and not HelpRequest.objects.exists()
    page = post_step(client, page, where="Angerss", where_choice="49007")
    assert "Étape 3 sur 3" in page.content.decode()


def test_the_confirmation_gives_the_reference_what_happens_next_the_phone_line_and_the_link(client, asking):
    three_steps(client, {"contact": "call", "phone": "0612345678", "consent": "on"})
    help_request = HelpRequest.objects.get()
    page = client.get(reverse("helprequests:confirmation", kwargs={"token": links.token_for(help_request)}))
    html = page.content.decode()
    assert help_request.reference in html and "vous rappelle sous 2 jours ouvrés" in html
    assert links.follow_url(help_request) in html and "tel:" in html.split("<main")[1]


def test_each_step_says_what_is_wrong_and_keeps_what_was_typed(client, asking):
    page = post_step(client, client.get(ASK))
    assert "Choisissez pour quoi vous avez besoin d’aide." in page.content.decode()
    page = post_step(client, page, need="emails", for_whom="me")
    page = post_step(client, page, where="Angers (49000)")
    page = post_step(client, page, contact="sms", first_name="Josiane", message="Le matin de préférence")
    html = page.content.decode()
    assert "Tapez un numéro de téléphone" in html and "Nous avons besoin de votre accord" in html
    assert 'value="Josiane"' in html and "Le matin de préférence" in html
    assert not HelpRequest.objects.exists()
    page = post_step(client, page, contact="sms", phone="12", consent="on")
    assert "Tapez-le avec ses 10 chiffres" in page.content.decode()


def test_going_back_keeps_every_answer(client, asking):
    page = post_step(client, client.get(ASK), need="enfants", for_whom="me")
    page = post_step(client, page, where="Angers (49000)")
    page = post_step(client, page, back="1", contact="email", email="josiane@example.org")
    html = page.content.decode()
    assert "Étape 2 sur 3" in html and "Angers" in html
    page = post_step(client, page, back="1")
    assert re.search(r'value="enfants"[^>]*checked', page.content.decode())
    page = post_step(client, page)  # forward again: nothing to retype
    page = post_step(client, page)
    assert 'value="josiane@example.org"' in page.content.decode()


def test_someone_asking_for_another_person_keeps_both_contacts_apart(client, asking):
    how = {"contact": "call", "phone": "0612345678", "first_name": "Marcel", "consent": "on"}
    page = three_steps(client, how, for_whom="someone_else")
    assert "Donnez-nous aussi un moyen de vous joindre" in page.content.decode()
    page = post_step(client, page, **how, asker_name="Sa voisine", asker_phone="0241000000")
    help_request = HelpRequest.objects.get()
    assert help_request.origin == Origin.RELATIVE and help_request.asked_by_someone_else
    assert (help_request.phone, help_request.asker_phone) == ("+33612345678", "+33241000000")


def test_choosing_to_go_to_a_place_shows_the_nearest_places_and_keeps_nothing(client, asking):
    response = three_steps(client, {"contact": "place", "support": ["surdite"]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("places:search") + "?where=Angers+%2849000%29&need=demarches")
    assert "support=surdite" in response["Location"]
    assert not HelpRequest.objects.exists()


def test_a_form_sent_twice_records_one_request(client, asking):
    page = post_step(client, client.get(ASK), need="demarches")
    page = post_step(client, page, where="Angers (49000)")
    first = post_step(client, page, contact="call", phone="0612345678", consent="on")
    again = post_step(client, page, contact="call", phone="0612345678", consent="on")
    assert first["Location"] == again["Location"] and HelpRequest.objects.count() == 1


def test_robots_filling_the_hidden_field_record_nothing(client, asking):
    three_steps(client, {"contact": "call", "phone": "0612345678", "consent": "on", "website": "http://spam"})
    assert not HelpRequest.objects.exists()


def test_too_many_requests_from_one_address_get_a_polite_wait(client, asking):
    statuses = [client.post(ASK, {"step": "1"}).status_code for _attempt in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_the_consent_box_is_never_ticked_in_advance(client, asking):
    page = post_step(client, client.get(ASK), need="demarches")
    page = post_step(client, page, where="Angers (49000)")
    html = page.content.decode()
    consent_input = html.split('name="consent"')[1].split(">")[0]
    assert "checked" not in consent_input
    assert "Nous les effaçons 12 mois après la fin de votre demande" in html


# The signed follow-up link -----------------------------------------------------------------------


@pytest.fixture
def sent(communes):
    from tests.helprequests.factories import new_request

    return new_request(message="Je n’ai pas d’ordinateur")


def follow(client, help_request, **kwargs):
    return client.get(links.follow_url(help_request), **kwargs)


def test_the_link_shows_each_step_in_plain_words_and_no_reason_or_note(client, sent):
    mediator = UserFactory()
    place = helping_place(None)
    services.refer(sent, place, mediator, note="personne âgée, appeler fort")
    services.decline(sent, mediator, "too_far", note="trop loin pour nous")
    services.reoffer(sent, mediator)
    services.claim(sent, place, mediator)
    for kind in (ContactAttempt.Kind.NO_ANSWER, ContactAttempt.Kind.MESSAGE_LEFT):
        services.log_contact_attempt(sent, kind, mediator)
    html = follow(client, sent).content.decode()
    for words in (
        "Nous avons reçu votre demande.",
        "Nous cherchons un autre lieu d’aide pour vous.",
        "Un lieu d’aide s’occupe de votre demande.",
        "sans réponse",
        "laissé un message",
    ):
        assert words in html
    assert "appeler fort" not in html and "trop loin" not in html.lower() and "Trop loin" not in html
    assert place.name in html and "+33612345678" not in html and "•• •• •• 56 78" in html


def test_the_person_adds_a_message_and_withdraws(client, sent):
    url = links.follow_url(sent)
    assert client.post(url, {"text": ""}).status_code == 200
    client.post(url, {"text": "Je suis disponible le mardi"})
    assert PersonMessage.objects.get().text == "Je suis disponible le mardi"
    confirm_page = client.get(reverse("helprequests:withdraw", kwargs={"token": links.token_for(sent)}))
    assert "Oui, terminer ma demande" in confirm_page.content.decode()
    client.post(reverse("helprequests:withdraw", kwargs={"token": links.token_for(sent)}))
    sent.refresh_from_db()
    assert sent.status == Status.WITHDRAWN and sent.transitions.last().by_the_person
    html = follow(client, sent).content.decode()
    assert "Vous nous avez dit ne plus avoir besoin d’aide." in html and 'name="text"' not in html


def test_an_altered_link_or_an_erased_request_leads_nowhere(client, sent):
    from maillage.helprequests import retention

    token = links.token_for(sent)
    assert client.get(reverse("helprequests:follow", kwargs={"token": token[:-2] + "xx"})).status_code == 404
    other = links.signing.dumps([sent.pk, "AAAA-AAAA"], salt="wrong")
    assert client.get(reverse("helprequests:follow", kwargs={"token": other})).status_code == 404
    retention.anonymise(HelpRequest.objects.filter(pk=sent.pk))
    assert client.get(reverse("helprequests:follow", kwargs={"token": token})).status_code == 404


def test_overseas_numbers_are_read_as_people_type_them(client, asking):
    three_steps(client, {"contact": "sms", "phone": "0692 12 34 56", "consent": "on"})
    assert HelpRequest.objects.get().phone == "+262692123456"


def test_the_follow_up_page_never_shows_the_specific_support_asked_for(client, communes):
    from tests.helprequests.factories import new_request

    help_request = new_request(specific_support=["surdite"], language="ar")
    html = client.get(links.follow_url(help_request)).content.decode()
    assert "sourd" not in html.lower() and "Arabe" in html


# From a place's page: "Be called back" by that place ---------------------------------------------------


def test_a_place_page_offers_to_be_called_back_by_that_place_for_the_need_searched(client, asking, library):
    place = helping_place(library)
    page = client.get(reverse("places:detail", kwargs={"place_id": place.pk}), {"need": "demarches"}).content.decode()
    assert f'href="{ASK}?need=demarches&amp;place={place.pk}">Être rappelé·e</a>' in page

    first = client.get(ASK, {"need": "demarches", "place": place.pk})
    html = first.content.decode()
    assert re.search(r'value="demarches"[^>]* checked', html)
    assert "Votre demande ira à <strong>Espace numérique de la médiathèque</strong>" in html
    second = post_step(client, first, need="demarches")  # the radio button ticked already
    assert 'value="Angers (49000)"' in second.content.decode()  # the place's commune, ready to change
    third = post_step(client, second, where="Angers (49000)")
    post_step(client, third, contact="call", phone="06 12 34 56 78", consent="on")
    help_request = HelpRequest.objects.get()
    assert (help_request.place, help_request.status, help_request.need) == (place, Status.REFERRED, "demarches")


def test_a_place_nobody_answers_offers_a_call_back_from_the_nearest_places(client, asking):
    unanswered = new_place(None, "Borne de la mairie", commune_id="49007", emails=[])
    page = client.get(reverse("places:detail", kwargs={"place_id": unanswered.pk})).content.decode()
    assert f'href="{ASK}">Être rappelé·e</a>' in page
    html = client.get(ASK, {"place": unanswered.pk}).content.decode()
    assert "Votre demande ira à" not in html
