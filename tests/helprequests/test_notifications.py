"""Who is told what, and the hourly upkeep: reminders, escalation, expiry, appointment reminders."""

import re
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from maillage.helprequests import links, notify, services, upkeep
from maillage.helprequests.models import HelpRequest, Status
from maillage.helprequests.states import TRANSITIONS
from maillage.notifications.sms import MemorySmsBackend
from tests.helprequests.factories import new_request
from tests.places.factories import paperwork_place_of

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

OUTBOX = MemorySmsBackend.outbox


def sent_to(number):
    return [message["text"] for message in OUTBOX if message["to"] == number]


def test_the_person_gets_the_reference_and_the_link_by_sms(communes, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://maillage.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        help_request = new_request(phone="+33612345678")
    (text,) = sent_to("+33612345678")
    assert (
        help_request.reference in text
        and "https://maillage.example.org" + links.follow_url(help_request, sent=True) in text
    )


def test_a_landline_gets_calls_not_text_messages_and_e_mail_when_chosen(communes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new_request(phone="+33241000000")
        new_request(phone="", email="josiane@example.org", contact_preference="email")
    assert OUTBOX == []
    assert [message.to for message in mail.outbox] == [["josiane@example.org"]]


def test_claim_decline_and_appointment_are_told_to_the_right_people(demo, library, django_capture_on_commit_callbacks):
    mediator, referrer = demo.user("mediateur"), demo.user("ccas")
    place = paperwork_place_of(library)
    with django_capture_on_commit_callbacks(execute=True):
        referred = new_request(
            place=place, referred_by=referrer, referrer_organization=referrer.memberships.get().organization
        )
        services.decline(referred, mediator, "language", note="personne ne parle arabe ici")
    declined = [message for message in mail.outbox if message.to == [referrer.email]]
    assert len(declined) == 1 and "Nous ne pouvons pas aider dans la langue de la personne" in declined[0].body
    assert "arabe" not in declined[0].body  # staff notes stay on the site
    assert not any("langue" in text for text in sent_to("+33612345678"))

    OUTBOX.clear()
    with django_capture_on_commit_callbacks(execute=True):
        help_request = new_request(phone="+33698765432")
        services.claim(help_request, place, mediator)
        services.book(help_request, mediator, timezone.now() + timedelta(days=3))
    texts = sent_to("+33698765432")
    # The claim's text waits: one text a day until the number is shown to be the person's, which an
    # appointment arranged with them does.
    assert len(texts) == 2 and "rendez-vous" in texts[1]


def test_upkeep_is_a_dry_run_unless_asked_and_never_repeats_itself(demo, library, django_capture_on_commit_callbacks):
    now = timezone.localtime().replace(hour=10, minute=0)  # messages to people leave in the daytime only
    with django_capture_on_commit_callbacks(execute=True):
        waiting = new_request(first_name="waiting", phone="+33241000000")  # a landline: no SMS
        old = new_request(first_name="old", phone="+33241000000")  # a landline: no SMS
        forgotten = new_request(first_name="forgotten", phone="+33241000000")  # a landline: no SMS
    HelpRequest.objects.filter(pk=waiting.pk).update(status_changed_at=now - timedelta(hours=30))
    HelpRequest.objects.filter(pk=old.pk).update(status_changed_at=now - timedelta(hours=49))
    HelpRequest.objects.filter(pk=forgotten.pk).update(
        status=Status.DECLINED, created_at=now - timedelta(days=31), status_changed_at=now - timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        booked = new_request(phone="+33655555555")
        services.claim(booked, paperwork_place_of(library), demo.user("mediateur"))
        services.book(booked, demo.user("mediateur"), timezone.localtime().replace(hour=14) + timedelta(days=1))
    OUTBOX.clear()
    mail.outbox.clear()

    out = StringIO()
    call_command("help_request_upkeep", stdout=out)  # now, dry run
    assert "[dry run]" in out.getvalue() and HelpRequest.objects.get(pk=old.pk).status == Status.NEW
    assert not mail.outbox and not OUTBOX

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            upkeep.run(act=True, now=now)
    assert HelpRequest.objects.get(pk=old.pk).status == Status.ESCALATED
    assert HelpRequest.objects.get(pk=forgotten.pk).status == Status.EXPIRED
    assert HelpRequest.objects.get(pk=waiting.pk).status == Status.NEW
    reminders = [message for message in mail.outbox if "attend de l’aide" in message.subject]
    assert reminders and len({tuple(message.to) for message in reminders}) == len(reminders)  # once each
    assert len(sent_to("+33655555555")) == 1 and "demain" in sent_to("+33655555555")[0]
    coordination = [message for message in mail.outbox if message.to == [demo.user("coordination").email]]
    assert any(old.reference in message.body for message in coordination)


def test_no_text_message_leaves_at_night(demo, library):
    help_request = new_request(phone="+33655555555")
    services.claim(help_request, paperwork_place_of(library), demo.user("mediateur"))
    services.book(help_request, demo.user("mediateur"), timezone.localtime().replace(hour=14) + timedelta(days=1))
    night = timezone.localtime().replace(hour=23, minute=30)
    assert not any("tomorrow" in line for line in upkeep.run(act=False, now=night))
    assert any("tomorrow" in line for line in upkeep.run(act=False, now=night.replace(hour=9)))


def test_the_persons_message_reaches_the_place_or_the_coordination(demo, library, django_capture_on_commit_callbacks):
    waiting = new_request()
    taken = new_request()
    services.claim(taken, paperwork_place_of(library), demo.user("mediateur"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_person_message(waiting, "Je suis libre le mardi")
        services.add_person_message(taken, "Je suis libre le jeudi")
    readers = {address for message in mail.outbox for address in message.to}
    assert demo.user("coordination").email in readers and demo.user("mediateur").email in readers
    assert not any("mardi" in message.body or "jeudi" in message.body for message in mail.outbox)


def test_upkeep_skips_a_request_that_moved_meanwhile(demo, library):
    help_request = new_request()
    HelpRequest.objects.filter(pk=help_request.pk).update(status_changed_at=timezone.now() - timedelta(hours=50))
    due = HelpRequest.objects.filter(pk=help_request.pk)
    services.claim(help_request, paperwork_place_of(library), demo.user("mediateur"))  # claimed after the query
    assert upkeep._move_each(due.all(), services.escalate, "escalate", act=True) == [
        f"{help_request.reference}: escalate"
    ]
    assert HelpRequest.objects.get(pk=help_request.pk).status == Status.CLAIMED


def test_every_move_has_its_row_of_who_is_told():
    assert set(notify.TOLD) == set(TRANSITIONS), "a move of states.TRANSITIONS without its row in notify.TOLD"
    audiences = {notify.PERSON, notify.REFERRER, notify.RECEIVING_PLACE, notify.COORDINATION, notify.PLACE_MEMBERS}
    for action, rows in notify.TOLD.items():
        for told in rows:
            assert told.audience in audiences and told.only in {
                "",
                notify.NEW,
                notify.MOVED_BY_SOMEONE_ELSE,
                notify.UPCOMING_APPOINTMENT,
            }, action
            assert told.words is not None or told.audience in {notify.PERSON, notify.RECEIVING_PLACE}, action


def test_a_number_typed_by_strangers_gets_one_text_a_day_until_its_person_shows_up(
    client, demo, library, django_capture_on_commit_callbacks
):
    from maillage.helprequests.models import ContactAttempt
    from maillage.notifications.models import Notification

    number = "+33611223344"
    with django_capture_on_commit_callbacks(execute=True):
        first = new_request(phone=number)
        for _again in range(3):  # someone typing another's number in the public form
            new_request(phone=number)
    assert len(sent_to(number)) == 1

    Notification.objects.update(created_at=timezone.now() - timedelta(hours=25))  # a day later
    with django_capture_on_commit_callbacks(execute=True):
        new_request(phone=number)
        new_request(phone=number)
    assert len(sent_to(number)) == 2

    client.get(links.follow_url(first))  # the confirmation page's link, seen by whoever typed the number
    with django_capture_on_commit_callbacks(execute=True):
        new_request(phone=number)
    assert len(sent_to(number)) == 2
    texted_link = re.search(r"https?://\S+", sent_to(number)[0]).group(0)
    client.get(urlsplit(texted_link).path)  # the texted link: it reached the person, the number is theirs
    with django_capture_on_commit_callbacks(execute=True):
        new_request(phone=number)
    assert len(sent_to(number)) == 3

    other = "+33655443322"
    with django_capture_on_commit_callbacks(execute=True):
        called = new_request(phone=other)
        new_request(phone=other)
        services.log_contact_attempt(called, ContactAttempt.Kind.NO_ANSWER, demo.user("mediateur"))
        new_request(phone=other)
        services.log_contact_attempt(called, ContactAttempt.Kind.CALLED, demo.user("mediateur"))
        new_request(phone=other)
    assert len(sent_to(other)) == 2  # the first, then once a member talked with the person


def test_the_digests_that_hold_texts_back_are_erased_after_a_day(communes, django_capture_on_commit_callbacks):
    from maillage.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        new_request(phone="+33611223344")
    assert Notification.objects.get().recipient_digest
    call_command("purge_personal_data", "--wet-run", stdout=StringIO())
    assert Notification.objects.get().recipient_digest, "kept for a day"
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_personal_data", "--wet-run", stdout=StringIO())
    assert Notification.objects.get().recipient_digest == ""
