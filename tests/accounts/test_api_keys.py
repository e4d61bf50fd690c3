"""Organisation administrators make and revoke the keys of their software; keys are shown once."""

import pytest
from django.urls import reverse

from maillage.accounts.models import ApiToken, AuditEvent, Membership
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)


def test_an_administrator_makes_a_key_sees_it_once_and_revokes_it(demo, ccas, client):
    admin = verified_session(client, demo.user("ccas"))
    page_url = reverse("accounts:api_keys", kwargs={"organization_id": ccas.pk})
    member = Membership.objects.get(user=demo.user("ccas"), organization=ccas)
    refused = admin.post(page_url, {"name": "", "member": member.pk})
    assert "Dites ce qui utilisera la clé" in refused.content.decode() and not ApiToken.objects.exists()
    made = admin.post(page_url, {"name": "Logiciel du CCAS", "member": member.pk}).content.decode()
    key = made.split('class="secret" readonly value="')[1].split('"')[0]
    token = ApiToken.objects.get()
    assert ApiToken.authenticate(key) == token and token.name == "Logiciel du CCAS"
    assert key not in admin.get(page_url).content.decode()  # shown once
    admin.post(reverse("accounts:api_key_revoke", kwargs={"organization_id": ccas.pk, "token_id": token.pk}))
    assert ApiToken.authenticate(key) is None
    actions = set(AuditEvent.objects.filter(organization=ccas).values_list("action", flat=True))
    assert {AuditEvent.Action.API_KEY_CREATED, AuditEvent.Action.API_KEY_REVOKED} <= actions


def test_a_key_stops_when_its_member_leaves_the_organisation(demo, ccas):
    _token, key = ApiToken.issue(ccas, demo.user("ccas"), "Logiciel")
    Membership.objects.filter(user=demo.user("ccas"), organization=ccas).delete()
    assert ApiToken.authenticate(key) is None


def test_a_member_of_another_organisation_cannot_be_chosen(demo, ccas, client):
    admin = verified_session(client, demo.user("ccas"))
    outsider = Membership.objects.exclude(organization=ccas).first()
    page_url = reverse("accounts:api_keys", kwargs={"organization_id": ccas.pk})
    admin.post(page_url, {"name": "Logiciel", "member": outsider.pk})
    assert not ApiToken.objects.exists()
