"""Two servers receiving the same retried call at the same moment: one records, the other answers
with the same request (PostgreSQL; SQLite serialises writers, and its test database, shared in
memory, locks tables instead of waiting)."""

import pytest
from django.db import connection
from django.test import Client

from maillage.accounts.models import ApiToken
from maillage.helprequests.models import HelpRequest
from tests.accounts.factories import MembershipFactory
from tests.helprequests.factories import api_request
from tests.races import race


@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_at_two_servers_at_once_records_one_request(communes):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    member = MembershipFactory()
    key = ApiToken.issue(member.organization, member.user, "Logiciel du CCAS")[1]
    body = api_request()
    answers = []

    def send():
        response = Client().post(
            "/api/v1/help-requests", body, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
        )
        answers.append((response.status_code, response.json()["id"]))

    assert race(send, send) == []
    recorded = HelpRequest.objects.get()
    assert sorted(answers) == [(200, recorded.pk), (201, recorded.pk)]
    assert recorded.transitions.count() == 1
