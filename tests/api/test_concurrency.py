"""Two servers receiving the same retried call at the same moment: one records, the other answers
with the same request (PostgreSQL; SQLite serialises writers, and its test database, shared in
memory, locks tables instead of waiting)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from maillage.accounts.models import ApiToken
from maillage.helprequests.models import HelpRequest
from tests.accounts.factories import MembershipFactory
from tests.helprequests.factories import api_request


@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_at_two_servers_at_once_records_one_request(communes):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: the race is proven on PostgreSQL")
    member = MembershipFactory()
    key = ApiToken.issue(member.organization, member.user, "Logiciel du CCAS")[1]
    body = api_request()
    answers = []
    barrier = threading.Barrier(2)

    def send():
        barrier.wait()
        try:
            response = Client().post(
                "/api/v1/help-requests",
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {key}"},
            )
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    servers = [threading.Thread(target=send) for _server in range(2)]
    for server in servers:
        server.start()
    for server in servers:
        server.join()
    recorded = HelpRequest.objects.get()
    assert sorted(answers) == [(200, recorded.pk), (201, recorded.pk)]
    assert recorded.transitions.count() == 1
