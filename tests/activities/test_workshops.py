"""Workshops: created by a place, found by anyone, registered for without an account or by staff;
the waiting list moves up when someone cancels; reminders the day before; attendance becomes the
collective activity record in one action."""

import datetime
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from maillage.accounts.models import AuditEvent
from maillage.activities import beneficiaries, services, workshops
from maillage.activities.models import Accompaniment, Registration, RegistrationStatus, WorkshopSession
from maillage.notifications.models import Notification
from maillage.notifications.sms import MemorySmsBackend
from tests.activities.factories import new_workshop, register_online, tomorrow_at
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]


def texts_to(number):
    return [message["text"] for message in MemorySmsBackend.outbox if message["to"] == number]


def token_in(response):
    return re.fullmatch(r"/ateliers/inscription/(.+)/", response["Location"]).group(1)


def test_a_workshop_three_registrations_one_cancels_the_waiting_list_moves_up_and_attendance_is_recorded(
    client, demo, library, place, django_capture_on_commit_callbacks
):
    mediator = verified_session(client, demo.user("mediateur"))
    day = timezone.localdate() + datetime.timedelta(days=2)
    response = mediator.post(
        "/mes-ateliers/nouveau/",
        {
            "place": place.pk,
            "title": "Envoyer une photo par e-mail",
            "level": "beginner",
            "themes": ["email"],
            "description": "Apportez votre téléphone.",
            "capacity": "2",
            "duration_minutes": "90",
            "first_day": day.strftime("%d/%m/%Y"),
            "start_time": "14:00",
            "repeat_weeks": "3",
        },
    )
    assert response["Location"] == "/mes-ateliers/"
    sessions = list(WorkshopSession.objects.order_by("starts_at"))
    assert len(sessions) == 4 and all(timezone.localtime(s.starts_at).hour == 14 for s in sessions)
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [
        day + datetime.timedelta(weeks=week) for week in range(4)
    ]
    session = sessions[0]
    client.logout()

    # Two people register on the public page, without an account; staff register a third.
    with django_capture_on_commit_callbacks(execute=True):
        amina = register_online(client, session, first_name="Amina", phone="06 12 34 56 78")
    with django_capture_on_commit_callbacks(execute=True):
        register_online(client, session, first_name="Bernard", email="bernard@example.org")
    page = client.get(f"/ateliers/{session.pk}/").content.decode()
    assert "Complet" in page and "Me mettre sur liste d’attente" in page
    mediator = verified_session(client, demo.user("mediateur"))
    with django_capture_on_commit_callbacks(execute=True):
        mediator.post(
            f"/mes-ateliers/seances/{session.pk}/inscrire/",
            {"first_name": "Chantal", "phone": "07 98 76 54 32", "email": ""},
        )
    statuses = dict(Registration.objects.values_list("first_name", "status"))
    assert statuses == {"Amina": "registered", "Bernard": "registered", "Chantal": "waiting"}
    chantal = Registration.objects.get(first_name="Chantal")
    assert chantal.registered_by == demo.user("mediateur")
    assert "vous êtes sur liste d’attente" in texts_to("+33798765432")[0]
    assert "Vous êtes inscrit" in texts_to("+33612345678")[0]
    assert [message.to for message in mail.outbox] == [["bernard@example.org"]]
    client.logout()

    # Amina cancels with her link: Chantal takes the place and is told.
    amina_link = f"/ateliers/inscription/{token_in(amina)}/"
    assert "vous êtes inscrit" in client.get(amina_link).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(amina_link, {"cancel": "1"})
    statuses = dict(Registration.objects.values_list("first_name", "status"))
    assert statuses == {"Amina": "cancelled", "Bernard": "registered", "Chantal": "registered"}
    assert "une place s’est libérée" in texts_to("+33798765432")[-1]
    assert "Cette inscription est annulée" in client.get(amina_link).content.decode()

    # After the session, ticking attendance records the collective accompaniment in one action.
    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    mediator = verified_session(client, demo.user("mediateur"))
    bernard = Registration.objects.get(first_name="Bernard")
    page = mediator.post(
        f"/mes-ateliers/seances/{session.pk}/presences/",
        {
            "present": [bernard.pk, chantal.pk],
            "others": "1",
            "autonomy": "with_help",
            "age_60_74": "2",
            "age_75_plus": "2",
            "gender_woman": "2",
            "gender_man": "1",
        },
    ).content.decode()
    assert "font plus que les 3 personnes venues" in page and not Accompaniment.objects.exists()
    mediator.post(
        f"/mes-ateliers/seances/{session.pk}/presences/",
        {
            "present": [bernard.pk, chantal.pk],
            "others": "1",
            "autonomy": "with_help",
            "age_60_74": "1",
            "age_75_plus": "2",
            "gender_woman": "2",
            "gender_man": "1",
        },
    )
    record = Accompaniment.objects.get()
    assert (record.kind, record.participants, record.duration_minutes, record.place, record.themes) == (
        "collective",
        3,
        90,
        place,
        ["email"],
    )
    assert (record.counts_by_age_band, record.counts_by_gender) == ({"60_74": 1, "75_plus": 2}, {"woman": 2, "man": 1})
    assert dict(Registration.objects.values_list("first_name", "attended")) == {
        "Amina": None,
        "Bernard": True,
        "Chantal": True,
    }
    # Ticking twice does not record twice.
    mediator.post(
        f"/mes-ateliers/seances/{session.pk}/presences/", {"present": [bernard.pk], "others": "0", "autonomy": "alone"}
    )
    assert Accompaniment.objects.count() == 1


def test_a_form_sent_twice_or_the_same_person_again_registers_once(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    key = "a" * 32
    first = register_online(client, session, phone="0612345678", submission_key=key)
    again = register_online(client, session, phone="0612345678", submission_key=key)
    assert first["Location"] == again["Location"]
    register_online(client, session, first_name="amina ", phone="06 12 34 56 78")
    assert Registration.objects.count() == 1
    register_online(client, session, first_name="Karim", phone="06 12 34 56 78")  # same household, same phone
    assert Registration.objects.count() == 2


def test_registration_errors_say_what_to_fix_and_keep_what_was_typed(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    page = register_online(client, session, first_name="Amina").content.decode()
    assert "Tapez un numéro de téléphone ou un e-mail" in page and 'value="Amina"' in page
    page = register_online(client, session, phone="12").content.decode()
    assert "Nous ne pouvons pas lire ce numéro" in page
    WorkshopSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())
    assert register_online(client, session, phone="0612345678").status_code == 404
    assert not Registration.objects.exists()


def test_a_session_that_has_begun_takes_no_more_registrations(demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    with pytest.raises(workshops.WorkshopRefused):
        workshops.register(session, first_name="Amina", phone="+33612345678", now=session.starts_at)


def test_reminders_go_the_day_before_once_each_to_people_registered(
    demo, library, place, django_capture_on_commit_callbacks
):
    tomorrow = new_workshop(library, place, demo.user("mediateur"), capacity=1).sessions.get()
    later = new_workshop(
        library, place, demo.user("mediateur"), first_start=tomorrow_at(10) + datetime.timedelta(days=2)
    ).sessions.get()
    registered = workshops.register(tomorrow, first_name="Amina", phone="+33612345678")
    workshops.register(tomorrow, first_name="Bernard", email="bernard@example.org")  # waiting: no reminder
    workshops.register(later, first_name="Chantal", email="chantal@example.org")
    call_command("send_workshop_reminders")
    call_command("send_workshop_reminders")
    reminders = Notification.objects.filter(key__startswith="workshop:reminder:")
    assert list(reminders.values_list("key", "recipient")) == [(f"workshop:reminder:{registered.pk}", "+33612345678")]
    assert "demain" in reminders.get().body and "/ateliers/inscription/" in reminders.get().body


def test_anyone_finds_workshops_by_commune_distance_theme_and_date_and_on_the_place_page(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    page = client.get("/ateliers/").content.decode()
    assert "Envoyer une photo par e-mail" in page and "2 places libres" in page
    assert "Envoyer une photo" not in client.get("/ateliers/?theme=employment").content.decode()
    assert "Envoyer une photo" in client.get("/ateliers/?theme=email").content.decode()
    later = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert "Envoyer une photo" not in client.get(f"/ateliers/?from_day={later}").content.decode()
    near = client.get("/ateliers/", {"where": place.commune_name, "radius": 5}).content.decode()
    assert "Envoyer une photo" in near and " km)" in near
    far = client.get("/ateliers/", {"where": "Cholet", "radius": 5}).content.decode()
    assert "Envoyer une photo" not in far
    place_page = client.get(f"/lieux/{place.pk}/").content.decode()
    assert "Ateliers à venir" in place_page and f"/ateliers/{session.pk}/" in place_page


def test_staff_pages_name_people_so_they_stay_within_the_organisation_and_are_journaled(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    workshops.register(session, first_name="Amina", phone="+33612345678")
    assert (
        verified_session(client, demo.user("association")).get(f"/mes-ateliers/seances/{session.pk}/").status_code
        == 404
    )
    client.logout()
    page = verified_session(client, demo.user("benevole")).get(f"/mes-ateliers/seances/{session.pk}/")
    assert "Amina" in page.content.decode()
    assert AuditEvent.objects.filter(action="personal_record_viewed", target_id=str(session.pk)).exists()


def test_a_person_with_a_record_is_registered_by_staff_and_their_history_shows_it(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    yvette = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        phone="+33612345678",
        consent_way="oral",
        consent_purposes=["contact"],
    )
    mediator = verified_session(client, demo.user("mediateur"))
    mediator.post(
        f"/mes-ateliers/seances/{session.pk}/inscrire/",
        {"first_name": "", "phone": "", "email": "", "beneficiary": yvette.pk},
    )
    registration = Registration.objects.get()
    assert (registration.first_name, registration.phone, registration.beneficiary) == ("Yvette", "+33612345678", yvette)
    assert "Envoyer une photo par e-mail" in mediator.get(f"/personnes/{yvette.pk}/").content.decode()


def test_cancelling_a_session_tells_everyone(demo, library, place, django_capture_on_commit_callbacks):
    session = new_workshop(library, place, demo.user("mediateur"), capacity=1).sessions.get()
    workshops.register(session, first_name="Amina", phone="+33612345678")
    workshops.register(session, first_name="Bernard", email="bernard@example.org")
    workshops.cancel_session(session, by=demo.user("mediateur"))
    assert Notification.objects.filter(key__startswith="workshop:session-cancelled:").count() == 2


def test_registrations_are_erased_a_month_after_the_session_and_people_two_years_after_their_last_visit(
    demo, library, place
):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    registration = workshops.register(session, first_name="Amina", phone="+33612345678")
    yvette = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        consent_way="oral",
        consent_purposes=["follow_up"],
    )
    services.record(
        organization=library,
        author=demo.user("mediateur"),
        day=timezone.localdate(),
        setting="remote",
        duration_minutes=30,
        themes=["email"],
        autonomy="alone",
        beneficiary=yvette,
    )
    call_command("purge_activity_data", "--wet-run")
    registration.refresh_from_db()
    assert registration.first_name == "Amina"
    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(days=31))
    type(yvette).objects.filter(pk=yvette.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=750))
    call_command("purge_activity_data", "--wet-run")
    registration.refresh_from_db()
    yvette.refresh_from_db()
    assert (registration.first_name, registration.phone, registration.status) == ("", "", RegistrationStatus.REGISTERED)
    assert yvette.anonymised_at is not None and yvette.first_name == ""
    assert Accompaniment.objects.filter(beneficiary=yvette).count() == 1


def test_a_sessions_record_corrected_late_becomes_a_new_version_of_the_same_session(demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    amina = workshops.register(session, first_name="Amina", phone="+33612345678")
    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    record = workshops.take_attendance(
        session, by=demo.user("mediateur"), present=[amina], others=2, counts_by_gender={"woman": 2}
    )
    Accompaniment.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    record.refresh_from_db()
    newer = services.correct(record, by=demo.user("mediateur"), participants=4)
    assert (newer.workshop_session, newer.participants, newer.counts_by_gender) == (session, 4, {"woman": 2})
    assert Accompaniment.objects.current().get(workshop_session=session) == newer
    with pytest.raises(workshops.WorkshopRefused):
        workshops.create_workshop(
            organization=library,
            place=place,
            by=None,
            first_start=tomorrow_at(9),
            title="Sans thème",
            themes=[],
            description="…",
            capacity=3,
        )


def test_my_week_shows_our_workshops_and_the_attendance_to_take_in_a_fixed_number_of_queries(
    client, demo, library, place, django_assert_max_num_queries
):
    def week_page():
        return verified_session(client, demo.user("benevole")).get("/ma-semaine/")

    coming = new_workshop(library, place, demo.user("mediateur"), capacity=1).sessions.get()
    workshops.register(coming, first_name="Amina", phone="+33612345678")
    workshops.register(coming, first_name="Bernard", email="bernard@example.org")
    past = new_workshop(library, place, demo.user("mediateur"), first_start=tomorrow_at(9)).sessions.get()
    WorkshopSession.objects.filter(pk=past.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    page = week_page().content.decode()
    assert f"/mes-ateliers/seances/{coming.pk}/" in page and "1 inscrit sur 1, 1 en attente" in page
    assert "Les présences de 1 séance passée sont à noter" in page
    with django_assert_max_num_queries(30) as few:
        week_page()
    for _more in range(5):
        new_workshop(library, place, demo.user("mediateur"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = week_page()
    assert len(response.content) < 14_000  # the budget of a page's HTML, on a phone


def test_a_cancelled_session_moves_nobody_up_and_its_links_say_so(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur"), capacity=1).sessions.get()
    amina = workshops.register(session, first_name="Amina", phone="+33612345678")
    bernard = workshops.register(session, first_name="Bernard", email="bernard@example.org")
    workshops.cancel_session(session, by=demo.user("mediateur"))
    assert workshops.cancel(Registration.objects.get(pk=amina.pk)) is None  # cancelled with the session already
    assert not Notification.objects.filter(key__startswith="workshop:promoted:").exists()
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}
    page = client.get(f"/ateliers/inscription/{workshops.token_for(bernard)}/").content.decode()
    assert "Cette séance est annulée par le lieu" in page and "Annuler mon inscription" not in page


def test_someone_typing_a_registered_persons_name_and_phone_does_not_get_their_link(client, demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    amina = workshops.register(session, first_name="Amina", phone="+33612345678")
    response = register_online(client, session, first_name="amina", phone="06 12 34 56 78")
    assert response["Location"] == f"/ateliers/{session.pk}/"
    assert workshops.token_for(amina) not in client.get(response["Location"]).content.decode()
    assert Notification.objects.filter(
        key__startswith=f"workshop:link-again:{amina.pk}:", recipient="+33612345678"
    ).exists()
    # Back, then the same page sent for someone else: a new registration, not the first one's link.
    key = "b" * 32
    register_online(client, session, first_name="Karim", phone="0611111111", submission_key=key)
    register_online(client, session, first_name="Lina", phone="0622222222", submission_key=key)
    assert set(Registration.objects.values_list("first_name", flat=True)) == {"Amina", "Karim", "Lina"}


def test_a_workshop_form_sent_twice_creates_one_workshop(client, demo, library, place):
    mediator = verified_session(client, demo.user("mediateur"))
    day = (timezone.localdate() + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    form = {
        "place": place.pk,
        "title": "Tablette",
        "level": "beginner",
        "themes": ["equipment"],
        "description": "Venez.",
        "capacity": "6",
        "duration_minutes": "60",
        "first_day": day,
        "start_time": "10:00",
        "repeat_weeks": "1",
        "submission_key": "c" * 32,
    }
    mediator.post("/mes-ateliers/nouveau/", form)
    mediator.post("/mes-ateliers/nouveau/", form)
    assert WorkshopSession.objects.count() == 2


def test_staff_registration_messages_a_person_only_if_they_agreed_to_be_contacted(demo, library, place, client):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    follow_only = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        phone="+33612345678",
        consent_way="oral",
        consent_purposes=["follow_up"],
    )
    mediator = verified_session(client, demo.user("mediateur"))
    mediator.post(f"/mes-ateliers/seances/{session.pk}/inscrire/", {"beneficiary": follow_only.pk})
    registration = Registration.objects.get()
    assert (registration.first_name, registration.phone) == ("Yvette", "")
    assert not Notification.objects.exists()


def test_deleting_a_persons_record_frees_their_places_and_retention_waits_for_their_workshops(demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur"), capacity=1).sessions.get()
    yvette = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        phone="+33612345678",
        consent_way="oral",
        consent_purposes=["contact"],
    )
    workshops.register(session, first_name="Yvette", beneficiary=yvette, by=demo.user("mediateur"))
    waiting = workshops.register(session, first_name="Bernard", email="bernard@example.org")
    type(yvette).objects.filter(pk=yvette.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=800))
    from maillage.activities import retention

    assert not retention.people_due().exists()  # registered for a session to come: still accompanied
    beneficiaries.anonymise_person(yvette, by=demo.user("mediateur"))
    waiting.refresh_from_db()
    assert waiting.status == "registered"
    assert Registration.objects.get(beneficiary=yvette).status == "cancelled"


def test_a_session_that_took_place_cannot_be_cancelled_and_deleting_its_record_lets_attendance_be_taken_again(
    client, demo, library, place
):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    amina = workshops.register(session, first_name="Amina", phone="+33612345678")
    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    mediator_user = demo.user("mediateur")
    record = workshops.take_attendance(session, by=mediator_user, present=[amina])
    mediator = verified_session(client, mediator_user)
    assert "a commencé" in mediator.post(f"/mes-ateliers/seances/{session.pk}/annuler/", follow=True).content.decode()
    assert Registration.objects.get().status == "registered"
    services.delete_record(record, by=mediator_user)
    assert Registration.objects.get().attended is None
    workshops.take_attendance(WorkshopSession.objects.get(), by=mediator_user, present=[amina])
    assert Accompaniment.objects.count() == 1


def test_a_first_day_years_away_is_refused_politely(client, demo, library, place):
    page = (
        verified_session(client, demo.user("mediateur"))
        .post(
            "/mes-ateliers/nouveau/",
            {
                "place": place.pk,
                "title": "Tablette",
                "level": "beginner",
                "themes": ["equipment"],
                "description": "Venez.",
                "capacity": "6",
                "duration_minutes": "60",
                "first_day": "31/12/9999",
                "start_time": "10:00",
                "repeat_weeks": "1",
            },
        )
        .content.decode()
    )
    assert "dans les deux prochaines années" in page and 'value="Tablette"' in page


def test_merging_two_records_registered_for_the_same_session_keeps_one_place(demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur"), capacity=2).sessions.get()
    kept, duplicate = (
        beneficiaries.record_person(
            organization=library,
            by=demo.user("mediateur"),
            first_name=name,
            consent_way="oral",
            consent_purposes=["follow_up"],
        )
        for name in ("Yvette", "Yvette M.")
    )
    workshops.register(session, first_name="Yvette", beneficiary=kept)
    workshops.register(session, first_name="Yvette M.", beneficiary=duplicate)
    zoe = workshops.register(session, first_name="Zoé", email="zoe@example.org")
    beneficiaries.merge_people(kept, duplicate, by=demo.user("mediateur"))
    active = Registration.objects.filter(session=session).exclude(status="cancelled")
    assert active.filter(beneficiary=kept).count() == 1
    zoe.refresh_from_db()
    assert zoe.status == "registered"


def test_no_reminder_goes_to_a_person_who_withdrew_their_agreement_to_be_contacted(demo, library, place):
    session = new_workshop(library, place, demo.user("mediateur")).sessions.get()
    yvette = beneficiaries.record_person(
        organization=library,
        by=demo.user("mediateur"),
        first_name="Yvette",
        phone="+33612345678",
        consent_way="oral",
        consent_purposes=["contact"],
    )
    workshops.register(session, first_name="Yvette", phone=yvette.phone, beneficiary=yvette)
    assert Notification.objects.filter(key__startswith="workshop:registered:").count() == 1
    beneficiaries.change_person(yvette, by=demo.user("mediateur"), consent_purposes=["follow_up"])
    assert workshops.remind() == 0
    assert not Notification.objects.filter(key__startswith="workshop:reminder:").exists()
