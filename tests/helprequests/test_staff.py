"""The people who help: offers near their places, claim, contacts, appointment, close; referrals
answered; nobody else sees a person's details, and each look at them is journaled."""

import contextlib
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from maillage.accounts.models import AuditEvent, Organization
from maillage.helprequests import links, routing, services
from maillage.helprequests.models import HelpRequest, Outcome, Status
from maillage.notifications.sms import MemorySmsBackend
from maillage.places.forms import place_label
from maillage.places.models import Place
from tests.accounts.factories import MembershipFactory
from tests.conftest import verified_session
from tests.helprequests.factories import new_request, staff_request
from tests.places.factories import helping_place, new_place, paperwork_place_of

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

INBOX = reverse("helprequests:inbox")


@contextlib.contextmanager
def freeze_days(days):
    """Signed links read the clock through time.time(): move it forward."""
    later = time.time() + days * 86400
    with mock.patch("django.core.signing.time.time", return_value=later):
        yield


def url(name, help_request):
    return reverse(f"helprequests:{name}", kwargs={"request_id": help_request.pk})


@pytest.fixture
def mediator(demo, client):
    return verified_session(client, demo.user("mediateur"))


def test_a_request_near_the_library_is_offered_claimed_followed_and_closed(demo, library, mediator):
    help_request = new_request(first_name="Josiane")
    page = mediator.get(INBOX).content.decode()
    assert f"Prendre la demande {help_request.reference}" in page and "+33612345678" not in page  # no details before
    response = mediator.post(url("claim", help_request))
    assert response["Location"] == url("detail", help_request)
    help_request.refresh_from_db()
    assert help_request.status == Status.CLAIMED and help_request.place.organization == library
    assert help_request.assigned_to == demo.user("mediateur")

    detail = mediator.get(url("detail", help_request)).content.decode()
    assert "06 12 34 56 78" in detail and "Josiane" in detail
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERSONAL_RECORD_VIEWED, target_id=str(help_request.pk), actor=demo.user("mediateur")
    ).exists()

    for _attempt in range(2):
        mediator.post(url("log_contact", help_request), {"contact-kind": "no_answer"})
    tomorrow = timezone.localtime() + timedelta(days=1)
    mediator.post(url("book", help_request), {"book-day": tomorrow.date().isoformat(), "book-time": "14:30"})
    help_request.refresh_from_db()
    assert help_request.status == Status.APPOINTMENT and timezone.localtime(help_request.appointment_at).hour == 14
    HelpRequest.objects.filter(pk=help_request.pk).update(appointment_at=timezone.now() - timedelta(hours=1))  # held
    mediator.post(url("close", help_request), {"close-outcome": Outcome.HELPED})
    help_request.refresh_from_db()
    assert help_request.status == Status.CLOSED and help_request.outcome == Outcome.HELPED

    person_page = mediator.get(links.follow_url(help_request)).content.decode()
    for words in (
        "Un lieu d’aide s’occupe de votre demande.",
        "sans réponse",
        "Un rendez-vous a été fixé.",
        "Votre demande a été terminée.",
    ):
        assert words in person_page


def test_only_places_that_can_serve_are_offered(demo, library):
    place = paperwork_place_of(library)
    place.services = ["Aide aux démarches administratives"]
    place.save()
    assert routing.offers_among(new_request(), [place])
    assert not routing.offers_among(new_request(need="materiel"), [place])
    assert not routing.offers_among(new_request(commune_id="49328"), [place]), "Saumur is 45 km from Angers"
    place.request_radius_km = 60
    place.save()
    assert routing.offers_among(new_request(commune_id="49328"), [place])
    place.specific_support = []
    place.save()
    assert not routing.offers_among(new_request(language="uk"), [place])
    assert not routing.offers_among(new_request(specific_support=["surdite"]), [place])
    place.specific_support = ["Surdité", "Langues étrangères (autres)"]
    place.save()
    assert routing.offers_among(new_request(language="uk", specific_support=["surdite"]), [place])


def test_places_with_fewer_open_requests_come_first_at_equal_distance(demo, library):
    first, second = Place.objects.filter(organization=library)[:2]
    for place in (first, second):
        place.latitude, place.longitude = 47.47, -0.55
        place.services, place.specific_support = ["Aide aux démarches administratives"], []
        place.save()
    mediator = demo.user("mediateur")
    for _busy in range(2):
        services.claim(new_request(), first, mediator)
    offers = routing.offers_among(new_request(), [first, second])
    assert [offer.place for offer in offers] == [second, first]


def test_a_claimed_request_is_not_offered_any_more_and_a_second_claim_is_refused(demo, library, mediator, client):
    help_request = new_request()
    mediator.post(url("claim", help_request))
    assert f"Prendre la demande {help_request.reference}" not in mediator.get(INBOX).content.decode()
    assert mediator.post(url("claim", help_request)).status_code == 404


def test_viewers_and_other_organisations_never_see_a_request(demo, library, client):
    help_request = new_request()
    services.claim(help_request, paperwork_place_of(library), demo.user("mediateur"))
    for local_part in ("observateur", "association", "ccas"):
        client.logout()
        verified_session(client, demo.user(local_part))
        assert client.get(url("detail", help_request)).status_code == 404, local_part
        assert client.post(url("close", help_request), {"close-outcome": "helped"}).status_code == 404, local_part
        assert help_request.reference not in client.get(INBOX).content.decode()
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CLAIMED


def test_a_referred_place_accepts_or_declines_with_a_reason_the_person_never_sees(demo, library, mediator):
    referred = new_request(place=paperwork_place_of(library))
    assert referred.reference in mediator.get(INBOX).content.decode()
    page = mediator.post(url("decline", referred), {"decline-note": "complet"})
    html = page.content.decode()
    assert page.status_code == 400 and "Choisissez une raison" in html
    assert 'id="error-summary"' in html and "réponses à vérifier" in html.split("</title>")[0]
    mediator.post(url("decline", referred), {"decline-reason": "no_slot", "decline-note": "complet jusqu’en janvier"})
    referred.refresh_from_db()
    assert referred.status == Status.DECLINED and referred.place is None
    move = referred.transitions.last()
    assert (move.place, move.reason, move.staff_note) == (
        paperwork_place_of(library),
        "no_slot",
        "complet jusqu’en janvier",
    )
    assert mediator.get(url("detail", referred)).status_code == 404  # the place that declined no longer sees it
    person_page = mediator.get(links.follow_url(referred)).content.decode()
    assert "créneau" not in person_page and "complet" not in person_page

    other = new_request(place=paperwork_place_of(library))
    mediator.post(url("accept", other))
    other.refresh_from_db()
    assert other.status == Status.CLAIMED and other.assigned_to == demo.user("mediateur")


def test_an_appointment_in_the_past_is_refused_and_what_was_typed_is_kept(demo, library, mediator):
    help_request = new_request()
    mediator.post(url("claim", help_request))
    response = mediator.post(
        url("book", help_request), {"book-day": "2020-01-06", "book-time": "10:15", "book-note": "salle 2"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "déjà passé" in html and 'value="10:15"' in html and "salle 2" in html
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CLAIMED


def test_unreachable_is_refused_before_three_attempts(demo, library, mediator):
    help_request = new_request()
    mediator.post(url("claim", help_request))
    response = mediator.post(url("close", help_request), {"close-outcome": Outcome.UNREACHABLE}, follow=True)
    assert "n’est plus possible" in response.content.decode()
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CLAIMED


# Recorded by staff, and referrals --------------------------------------------------------------


@pytest.fixture
def social_worker(demo, client):
    return verified_session(client, demo.user("ccas"))


def test_staff_record_a_request_with_the_persons_oral_consent(demo, social_worker):
    response = social_worker.post(reverse("helprequests:new"), staff_request(consent=""))
    html = response.content.decode()
    assert "Sans l’accord de la personne" in html and 'value="Marcel"' in html and not HelpRequest.objects.exists()
    social_worker.post(reverse("helprequests:new"), staff_request(consent_channel="oral_phone"))
    help_request = HelpRequest.objects.get()
    assert (help_request.status, help_request.origin, help_request.consent_channel) == (
        Status.NEW,
        "phone_line",
        "oral_phone",
    )
    assert help_request.consent_recorded_by == demo.user("ccas")
    assert help_request.referrer_organization.name == "CCAS de Cholet"


def test_a_referral_declined_is_seen_by_the_referrer_and_sent_elsewhere_nothing_lost(
    demo, library, social_worker, client
):
    place = paperwork_place_of(library)
    social_worker.post(
        reverse("helprequests:new"), staff_request(destination="chosen", place=place.pk, message="Parle peu français")
    )
    help_request = HelpRequest.objects.get()
    assert help_request.status == Status.REFERRED and help_request.place == place
    assert help_request.origin == "referral"

    client.logout()
    mediator = verified_session(client, demo.user("mediateur"))
    assert "Parle peu français" in mediator.get(url("detail", help_request)).content.decode()
    mediator.post(
        url("decline", help_request), {"decline-reason": "language", "decline-note": "personne ne parle arabe ici"}
    )

    client.logout()
    referrer = verified_session(client, demo.user("ccas"))
    inbox = referrer.get(INBOX).content.decode()
    assert help_request.reference in inbox and "Refusée par le lieu" in inbox
    detail = referrer.get(url("detail", help_request)).content.decode()
    assert "Nous ne pouvons pas aider dans la langue de la personne" in detail and "personne ne parle arabe" in detail
    other_place = helping_place(Organization.objects.get(name="Association Les Connectés du Saumurois"))
    referrer.post(url("refer", help_request), {"refer-place": other_place.pk})
    help_request.refresh_from_db()
    assert help_request.status == Status.REFERRED and help_request.place == other_place
    assert help_request.message == "Parle peu français" and help_request.phone == "+33611223344"
    assert [move.action for move in help_request.transitions.all()] == ["refer", "decline", "refer"]


def test_the_referrer_can_offer_a_declined_request_to_the_nearest_places(demo, library, social_worker):
    help_request = new_request(
        place=paperwork_place_of(library), referrer_organization=Organization.objects.get(name="CCAS de Cholet")
    )
    services.decline(help_request, demo.user("mediateur"), "no_slot")
    social_worker.post(url("reoffer", help_request))
    help_request.refresh_from_db()
    assert help_request.status == Status.NEW and help_request.place is None


def test_only_the_referrer_sends_a_request_elsewhere(demo, library, mediator):
    help_request = new_request(
        place=paperwork_place_of(library), referrer_organization=Organization.objects.get(name="CCAS de Cholet")
    )
    services.decline(help_request, demo.user("mediateur"), "no_slot")
    assert mediator.post(url("refer", help_request), {"refer-place": paperwork_place_of(library).pk}).status_code == 404


def test_the_person_s_data_is_handed_over_on_request_and_the_export_is_journaled(demo, library, mediator):
    help_request = new_request(first_name="Josiane", preferred_moments=["morning"])
    mediator.post(url("claim", help_request))
    mediator.post(url("decline", help_request))  # not possible now: nothing changes
    services.log_contact_attempt(help_request, "no_answer", demo.user("mediateur"))
    page = mediator.get(url("personal_data", help_request)).content.decode()
    assert "Josiane" in page and "Le matin" in page and "Prénom" in page
    data = mediator.get(url("personal_data", help_request) + "?format=json").json()
    assert data["first_name"] == "Josiane" and data["phone"] == "+33612345678"
    assert [line["what"] for line in data["contact_attempts"]] == ["appel, pas de réponse"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_id=str(help_request.pk)).count() == 2


# A place without an account ---------------------------------------------------------------------


@pytest.fixture
def unowned_place(communes):
    place = helping_place(None)
    place.emails = ["accueil@centre-social.example.org"]
    place.save()
    return place


def link_in(message):
    return "/orientation/" + message.body.split("/orientation/")[1].split()[0]


def test_a_place_without_an_account_answers_from_the_link_it_receives(
    demo, unowned_place, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        help_request = new_request(place=unowned_place, first_name="Marcel")
    (message,) = [message for message in mail.outbox if message.to == ["accueil@centre-social.example.org"]]
    page = client.get(link_in(message)).content.decode()
    assert "Marcel" in page and "06 12 34 56 78" in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_RECORD_VIEWED, actor=None).exists()
    assert client.post(link_in(message), {"decline": "1"}).status_code == 400  # no reason chosen
    client.post(link_in(message), {"accept": "1"})
    help_request.refresh_from_db()
    assert help_request.status == Status.CLAIMED and help_request.place == unowned_place
    assert "Accepter" not in client.get(link_in(message)).content.decode()


def test_an_expired_place_link_sends_a_new_one_to_the_place_not_to_the_visitor(
    demo, unowned_place, client, django_capture_on_commit_callbacks
):
    help_request = new_request(place=unowned_place)
    token = links.place_token_for(help_request, unowned_place)
    with freeze_days(links.PLACE_LINK_DAYS + 1):
        page = client.get(reverse("helprequests:place_referral", kwargs={"token": token}))
        assert "Ce lien a expiré" in page.content.decode() and "Marcel" not in page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("helprequests:place_referral", kwargs={"token": token}))
    assert [message.to for message in mail.outbox] == [["accueil@centre-social.example.org"]]
    assert client.get(link_in(mail.outbox[0])).status_code == 200
    forged = token[:-3] + "abc"
    assert client.get(reverse("helprequests:place_referral", kwargs={"token": forged})).status_code == 404


def test_a_place_link_shows_nothing_once_the_request_went_elsewhere(demo, unowned_place, client, library):
    help_request = new_request(place=unowned_place)
    token = links.place_token_for(help_request, unowned_place)
    services.transfer(help_request, paperwork_place_of(library), demo.user("mediateur"))
    page = client.get(reverse("helprequests:place_referral", kwargs={"token": token})).content.decode()
    assert "n’attend plus votre réponse" in page and "+33612345678" not in page and "06 12" not in page


def test_the_help_line_calls_back_waiting_people_and_sends_them_to_a_place(demo, library, client):
    help_request = new_request(first_name="Josiane", phone="+33241000000")
    coordinator = verified_session(client, demo.user("coordination"))
    inbox = coordinator.get(INBOX).content.decode()
    assert "File de la ligne d’aide\u00a0: personnes à rappeler" in inbox
    assert help_request.reference in inbox
    assert "Josiane" in coordinator.get(url("detail", help_request)).content.decode()
    coordinator.post(url("log_contact", help_request), {"contact-kind": "called"})
    assert help_request.contact_attempts.count() == 1
    coordinator.post(
        url("refer", help_request), {"refer-place": paperwork_place_of(library).pk, "refer-note": "rappelée"}
    )
    help_request.refresh_from_db()
    assert help_request.status == Status.REFERRED and help_request.place == paperwork_place_of(library)
    # Having sent it, the coordination is its referrer: it hears of a decline and can send it elsewhere.
    assert help_request.referrer_organization.is_coordinator and help_request.referred_by == demo.user("coordination")


def test_the_inbox_filters_by_place_status_and_who_follows(demo, library, mediator):
    place = paperwork_place_of(library)
    other = Place.objects.filter(organization=library).exclude(pk=place.pk).first()
    mine = new_request(first_name="a")
    services.claim(mine, place, demo.user("mediateur"))
    nobody = new_request(first_name="b")
    services.claim(nobody, other, demo.user("admin"))
    services.assign(nobody, None)
    booked = new_request(first_name="c")
    services.claim(booked, place, demo.user("admin"))
    services.book(booked, demo.user("admin"), timezone.now() + timedelta(days=2))

    def shown(**query):
        html = mediator.get(INBOX, query).content.decode().split('id="taken-title"')[1]
        return {help_request.reference for help_request in (mine, nobody, booked) if help_request.reference in html}

    assert shown() == {mine.reference, nobody.reference, booked.reference}
    assert shown(who="me") == {mine.reference}
    assert shown(who="nobody") == {nobody.reference}
    assert shown(status="appointment") == {booked.reference}
    assert shown(place=other.pk) == {nobody.reference}
    assert shown(place="not-a-place") == {mine.reference, nobody.reference, booked.reference}


def test_a_place_passes_a_request_on_to_another_place(demo, library, mediator):
    help_request = new_request()
    mediator.post(url("claim", help_request))
    other = helping_place(Organization.objects.get(name="Association Les Connectés du Saumurois"))
    response = mediator.post(url("transfer", help_request), {"transfer-note": "plus près de chez elle"})
    assert response.status_code == 400 and "Choisissez un lieu" in response.content.decode()
    mediator.post(url("transfer", help_request), {"transfer-place": other.pk, "transfer-note": "plus près"})
    help_request.refresh_from_db()
    assert help_request.status == Status.REFERRED and help_request.place == other and help_request.assigned_to is None
    # The place that passed it on is now its referrer: it hears if the other place declines.
    assert help_request.referrer_organization == library and help_request.referred_by == demo.user("mediateur")
    assert "Choisissez" not in mediator.get(url("detail", help_request)).content.decode()


def test_a_member_of_two_organisations_chooses_which_one_records_the_request(demo, client):
    ccas_admin = demo.user("ccas")
    MembershipFactory(user=ccas_admin, organization=Organization.objects.get(name="Médiathèque Toussaint"))
    worker = verified_session(client, ccas_admin)
    page = worker.post(reverse("helprequests:new"), staff_request())
    assert "Choisissez la structure" in page.content.decode() and not HelpRequest.objects.exists()
    ccas = Organization.objects.get(name="CCAS de Cholet")
    worker.post(reverse("helprequests:new"), staff_request(organization=ccas.pk, submission="b" * 32))
    worker.post(reverse("helprequests:new"), staff_request(organization=ccas.pk, submission="b" * 32))
    assert HelpRequest.objects.get().referrer_organization == ccas  # and once only, despite the double send


def test_an_appointment_can_be_at_another_of_our_places_or_at_a_distance(
    demo, library, mediator, client, django_capture_on_commit_callbacks
):
    help_request = new_request(
        phone="+33612345678",
        referred_by=demo.user("ccas"),
        referrer_organization=Organization.objects.get(name="CCAS de Cholet"),
    )
    mediator.post(url("claim", help_request))
    help_request.refresh_from_db()
    other = Place.objects.filter(organization=library).exclude(pk=help_request.place_id).first()
    day = (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mediator.post(
            url("book", help_request),
            {"book-day": day, "book-time": "10:00", "book-where": "other", "book-other_place": place_label(other)},
        )
    help_request.refresh_from_db()
    assert help_request.appointment_place == other and not help_request.appointment_remote
    assert escape(other.name) in client.get(links.follow_url(help_request)).content.decode()
    assert any(
        help_request.reference in message.body for message in mail.outbox if message.to == [demo.user("ccas").email]
    )
    mediator.post(url("book", help_request), {"book-day": day, "book-time": "11:00", "book-where": "remote"})
    help_request.refresh_from_db()
    assert help_request.appointment_remote and help_request.appointment_place is None
    assert "Un lieu d’aide vous appelle à ce moment-là." in client.get(links.follow_url(help_request)).content.decode()


def test_the_inbox_does_not_query_once_per_request(demo, library, mediator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_with(count):
        for _request in range(count):
            services.claim(new_request(), paperwork_place_of(library), demo.user("mediateur"))
            new_request()
        with CaptureQueriesContext(connection) as captured:
            mediator.get(INBOX)
        return len(captured.captured_queries)

    assert queries_with(2) == queries_with(6)


# Where an appointment takes place, and what to do next ----------------------------------------


def test_an_appointment_offers_the_members_places_first_then_finds_another_by_name(demo, library, mediator):
    """An organisation with 72 places made 72 radio buttons."""
    others = [new_place(library, f"Antenne {number:02d}", commune_name="Angers") for number in range(72)]
    help_request = new_request()
    mediator.post(url("claim", help_request))
    page = mediator.get(url("detail", help_request)).content.decode()
    where = page.split('name="book-where"')
    assert len(where) - 1 <= 6, "the request's place, the member's latest, at a distance, another place"
    assert 'list="id_book-other_place-list"' in page and "Antenne 71 — Angers" in page  # the search's suggestions

    tomorrow = (timezone.localtime() + timedelta(days=1)).date().isoformat()
    booking = {"book-day": tomorrow, "book-time": "10:00", "book-where": "other"}
    for typed, refusal in [("Antenne", "Plusieurs lieux correspondent"), ("Piscine", "Aucun lieu de votre structure")]:
        response = mediator.post(url("book", help_request), {**booking, "book-other_place": typed})
        html = response.content.decode()
        assert response.status_code == 400 and refusal in html and f'value="{typed}"' in html
    mediator.post(url("book", help_request), {**booking, "book-other_place": "antenne 07"})
    help_request.refresh_from_db()
    assert help_request.appointment_place == others[7]
    typed_anyway = help_request.place  # shown as a radio button above, typed in the search: found too
    mediator.post(url("book", help_request), {**booking, "book-other_place": typed_anyway.name})
    help_request.refresh_from_db()
    assert help_request.appointment_place == typed_anyway

    # The place this member booked at comes first next time, among the radio buttons.
    second = new_request()
    mediator.post(url("claim", second))
    assert f'value="{others[7].pk}"' in mediator.get(url("detail", second)).content.decode()


def _open_action(page):
    """The summary of the one action the request page shows open."""
    opened = [
        part.split("<summary>")[1].split("</summary>")[0]
        for part in page.split('class="more-criteria action" open>')[1:]
    ]
    assert len(opened) <= 1, opened
    return opened[0] if opened else None


def test_the_request_page_opens_the_next_step_and_folds_the_others(demo, library, mediator):
    help_request = new_request()
    mediator.post(url("claim", help_request))
    assert _open_action(mediator.get(url("detail", help_request)).content.decode()) == "Noter un essai de contact"
    mediator.post(url("log_contact", help_request), {"contact-kind": "called"})
    assert _open_action(mediator.get(url("detail", help_request)).content.decode()) == "Fixer un rendez-vous"
    tomorrow = (timezone.localtime() + timedelta(days=1)).date().isoformat()
    mediator.post(url("book", help_request), {"book-day": tomorrow, "book-time": "10:00"})
    assert _open_action(mediator.get(url("detail", help_request)).content.decode()) is None  # nothing due before it
    HelpRequest.objects.filter(pk=help_request.pk).update(appointment_at=timezone.now() - timedelta(hours=1))
    assert _open_action(mediator.get(url("detail", help_request)).content.decode()) == "Terminer la demande"


def _booked_tomorrow_at_half_past_two(mediator):
    help_request = new_request(phone="+33612345678")
    mediator.post(url("claim", help_request))
    tomorrow = (timezone.localtime() + timedelta(days=1)).date().isoformat()
    mediator.post(url("book", help_request), {"book-day": tomorrow, "book-time": "14:30"})
    return help_request


def test_closing_a_request_before_its_appointment_asks_to_cancel_it_and_tells_the_person(
    demo, library, mediator, django_capture_on_commit_callbacks
):
    help_request = _booked_tomorrow_at_half_past_two(mediator)
    page = mediator.get(url("detail", help_request)).content.decode()
    assert "Annuler le rendez-vous du" in page and "14\u00a0h\u00a030 et prévenir la personne" in page

    refused = mediator.post(url("close", help_request), {"close-outcome": Outcome.HELPED, "close-note": "Vu au tél."})
    html = refused.content.decode()
    assert refused.status_code == 400 and "cochez la case pour l’annuler" in html and "Vu au tél." in html
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.APPOINTMENT
    with pytest.raises(services.IllegalTransition):  # the rule is the service's, whoever calls it
        services.close(HelpRequest.objects.get(pk=help_request.pk), demo.user("mediateur"), Outcome.HELPED)

    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mediator.post(url("close", help_request), {"close-outcome": Outcome.HELPED, "close-cancel_appointment": "on"})
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CLOSED
    (text,) = [message["text"] for message in MemorySmsBackend.outbox if message["to"] == "+33612345678"]
    assert "votre rendez-vous du" in text and "est annulé" in text and help_request.reference in text


def test_cancelling_for_a_person_with_only_a_landline_says_to_call_them(demo, library, mediator):
    help_request = new_request(phone="+33241000000")
    mediator.post(url("claim", help_request))
    tomorrow = (timezone.localtime() + timedelta(days=1)).date().isoformat()
    mediator.post(url("book", help_request), {"book-day": tomorrow, "book-time": "14:30"})
    page = mediator.get(url("detail", help_request)).content.decode()
    assert "appelez-la pour la prévenir" in page


def test_closing_after_the_appointment_tells_the_person_nothing_more(
    demo, library, mediator, django_capture_on_commit_callbacks
):
    help_request = _booked_tomorrow_at_half_past_two(mediator)
    HelpRequest.objects.filter(pk=help_request.pk).update(appointment_at=timezone.now() - timedelta(hours=2))
    MemorySmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mediator.post(url("close", help_request), {"close-outcome": Outcome.HELPED})
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CLOSED
    assert not [message for message in MemorySmsBackend.outbox if message["to"] == "+33612345678"]
