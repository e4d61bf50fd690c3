from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.helprequests import services
from maillage.helprequests.models import HelpRequest, PersonMessage, Transition
from maillage.personal_data import HELP_REQUEST_PERSONAL_FIELDS
from tests.helprequests.factories import new_request

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]


def closed_long_ago(days, **fields):
    help_request = new_request(**fields)
    services.add_person_message(help_request, "Mon fils s’appelle Kevin")
    services.withdraw(help_request)
    HelpRequest.objects.filter(pk=help_request.pk).update(closed_at=timezone.now() - timedelta(days=days))
    return help_request


def test_closed_requests_are_anonymised_after_the_retention_period_only_when_asked(communes, settings):
    settings.HELP_REQUEST_RETENTION_MONTHS = 12
    old = closed_long_ago(
        400,
        first_name="Josiane",
        email="j@example.org",
        asker_name="Voisine",
        specific_support=["surdite"],
        language="ar",
        message="Appelez après 17 h",
    )
    recent = closed_long_ago(100, first_name="Marcel")
    still_open = new_request(first_name="Paul")
    HelpRequest.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=800))

    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "1 closed help request(s) would be anonymised" in out.getvalue()
    assert HelpRequest.objects.get(pk=old.pk).first_name == "Josiane"

    call_command("purge_personal_data", "--wet-run", stdout=StringIO())
    erased = HelpRequest.objects.get(pk=old.pk)
    assert all(getattr(erased, name) in ("", []) for name in HELP_REQUEST_PERSONAL_FIELDS)
    assert erased.anonymised_at and not PersonMessage.objects.filter(request=erased).exists()
    # What the statistics need stays.
    assert (erased.need, erased.commune_id, erased.outcome) == ("demarches", "49007", "no_longer_needed")
    assert Transition.objects.filter(request=erased).count() == 2
    assert HelpRequest.objects.get(pk=recent.pk).first_name == "Marcel"
    assert HelpRequest.objects.get(pk=still_open.pk).first_name == "Paul"


def test_messages_given_up_lose_their_recipient_and_text(communes):
    from maillage.notifications.models import Notification

    Notification.objects.create(key="a", channel="sms", recipient="+33612345678", body="Bonjour", status="gave_up")
    Notification.objects.create(key="b", channel="sms", recipient="+33600000000", body="En attente")
    call_command("purge_personal_data", "--wet-run", stdout=StringIO())
    assert list(Notification.objects.order_by("key").values_list("recipient", "body")) == [
        ("", ""),
        ("+33600000000", "En attente"),
    ]
