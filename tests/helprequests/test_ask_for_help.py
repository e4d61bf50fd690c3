"""/besoin-d-aide/: three short steps, no account; the confirmation and the signed follow-up link."""

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from maillage import ratelimit
from maillage.helprequests import links, services
from maillage.helprequests.models import ContactAttempt, HelpRequest, Origin, PersonMessage, Status
from tests.accounts.factories import UserFactory
from tests.helprequests.factories import ASK, carried, post_step, three_steps
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


@pytest.fixture
def one_window(monkeypatch):
    """Quotas count in fixed windows: a test crossing a window's end would see them start again."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


def ask(client, phone, **how):
    return three_steps(client, {"contact": "call", "phone": phone, "consent": "on", **how})


def test_steps_and_typing_errors_from_a_shared_desk_count_for_nothing(client, asking, one_window):
    for _attempt in range(60):
        assert client.post(ASK, {"step": "1"}).status_code == 200  # "choose a need", again and again
        assert post_step(client, client.get(ASK), need="demarches").status_code == 200
    assert ask(client, "0612345678").status_code == 302


def test_an_address_sends_ten_requests_an_hour_then_waits_and_keeps_what_was_typed(client, asking, one_window):
    for number in range(10):
        assert ask(client, f"06123456{number:02d}").status_code == 302
    page = post_step(client, client.get(ASK), need="demarches")
    page = post_step(client, page, where="Angers (49000)")
    refused = post_step(client, page, contact="call", phone="06 99 88 77 66", first_name="Marcel", consent="on")

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "attendez un peu" in html and "06 99 88 77 66" in html and "Marcel" in html
    assert HelpRequest.objects.count() == 10
    elsewhere = Client(REMOTE_ADDR="203.0.113.20")  # another desk is not held up
    assert ask(elsewhere, "06 99 88 77 66").status_code == 302


def test_a_number_is_given_three_requests_a_day_from_anywhere(client, asking, one_window):
    for desk in range(3):
        assert ask(Client(REMOTE_ADDR=f"203.0.113.{desk + 1}"), "06 12 34 56 78").status_code == 302
    assert ask(Client(REMOTE_ADDR="203.0.113.9"), "+33 6 12 34 56 78").status_code == 429
    assert HelpRequest.objects.count() == 3


def test_a_form_sent_twice_after_the_limit_still_shows_its_own_request(client, asking, one_window):
    page = post_step(client, client.get(ASK), need="demarches")
    page = post_step(client, page, where="Angers (49000)")
    first = post_step(client, page, contact="call", phone="0612345678", consent="on")
    for number in range(9):
        ask(client, f"06000000{number:02d}")
    again = post_step(client, page, contact="call", phone="0612345678", consent="on")
    assert again.status_code == 302 and again["Location"] == first["Location"]


def test_a_submission_key_set_by_a_link_is_not_the_forms(client, asking):
    planted = "a" * 32
    page = client.get(f"{ASK}?submission_key={planted}")
    assert carried(page)["submission_key"] != [planted]
    sent = ask(client, "0612345678")
    intruder = Client()
    replay = intruder.post(
        ASK,
        {
            **carried(page),
            "step": "3",
            "need": "demarches",
            "where": "Angers (49000)",
            "contact": "call",
            "phone": "0612345678",
            "consent": "on",
            "submission_key": planted,
        },
    )
    assert replay.status_code == 400 and sent["Location"] not in replay.content.decode()
    assert HelpRequest.objects.count() == 1


def test_a_form_sent_again_from_another_browser_never_shows_the_persons_request(client, asking):
    page = post_step(client, client.get(ASK), need="demarches")
    page = post_step(client, page, where="Angers (49000)")
    answers = {"contact": "call", "phone": "0612345678", "consent": "on"}
    sent = post_step(client, page, **answers)
    token = sent["Location"].rstrip("/").rsplit("/", 1)[1]

    replay = post_step(Client(), page, **answers)  # the same fields, key included, from another browser
    assert replay.status_code == 400
    assert token not in replay.content.decode() and HelpRequest.objects.count() == 1


def test_a_single_post_without_the_forms_steps_records_nothing_and_keeps_what_was_typed(client, asking):
    answers = {
        "step": "3",
        "need": "demarches",
        "where": "Angers (49000)",
        "for_whom": "me",
        "contact": "call",
        "phone": "06 12 34 56 78",
        "consent": "on",
    }
    page = client.post(ASK, answers)
    assert page.status_code == 400 and "06 12 34 56 78" in page.content.decode()
    assert not HelpRequest.objects.exists()
    assert post_step(client, page, **{"contact": "call", "phone": "06 12 34 56 78", "consent": "on"}).status_code == 302
    assert client.post(ASK, {**answers, "need": "cuisine"}).status_code == 200  # step 1's own check first
    assert HelpRequest.objects.count() == 1


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
    assert client.get(reverse("helprequests:follow", kwargs={"token": token})).status_code == 410


def test_a_follow_link_ends_with_the_requests_retention_even_before_the_purge(client, sent):
    from datetime import timedelta

    from django.utils import timezone

    mediator = UserFactory()
    services.claim(sent, helping_place(None), mediator)
    services.close(sent, mediator, "helped")
    token = links.token_for(sent)
    assert client.get(links.follow_url(sent)).status_code == 200
    HelpRequest.objects.filter(pk=sent.pk).update(closed_at=timezone.now() - timedelta(days=12 * 31 + 1))
    for name in ("follow", "withdraw", "confirmation"):
        page = client.get(reverse(f"helprequests:{name}", kwargs={"token": token}))
        assert page.status_code == 410 and "Ce lien a expiré" in page.content.decode()
        assert "Je n’ai pas d’ordinateur" not in page.content.decode()
    assert client.post(reverse("helprequests:withdraw", kwargs={"token": token})).status_code == 410


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
