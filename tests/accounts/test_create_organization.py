from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from maillage.accounts.models import Invitation, Organization


def test_a_new_territory_starts_with_its_coordination_and_an_invited_administrator(
    communes, django_capture_on_commit_callbacks
):
    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_organization",
            "Hub numérique d'Anjou",
            "--kind",
            "coordinator",
            "--kind",
            "funder",
            "--admin-email",
            "Claire@Example.org",
            "--commune",
            "49007",
            stdout=output,
        )
    organization = Organization.objects.get(name="Hub numérique d'Anjou")
    assert set(organization.kinds) == {"coordinator", "funder"}
    invitation = Invitation.objects.get(organization=organization)
    assert (invitation.email, invitation.role) == ("claire@example.org", "admin")
    assert len(mail.outbox) == 1 and "/invitation/" in mail.outbox[0].body
    assert "/invitation/" in output.getvalue()


def test_an_unknown_commune_code_is_refused(communes):
    with pytest.raises(CommandError):
        call_command(
            "create_organization", "X", "--kind", "referrer", "--admin-email", "a@example.org", "--commune", "99999"
        )
    assert not Organization.objects.filter(name="X").exists()
