"""Schemathesis against /api/v1/openapi.json: every operation, with a key for each role, no 5xx, and
every answer as the schema says (status, content type, body, headers).

Bounded: a fixed number of examples per operation and role. Each operation is also called once per
role with a request that is valid for it (a real pass code, a known commune), so that the run meets
the successful answers too: a run that only meets 401s and 404s proves nothing.

Every check of schemathesis runs (no 5xx; status, content type, body and headers as documented) but
two, on purpose:
- "positive data acceptance": a request can fit the schema and break a rule the schema cannot say
  (an INSEE code of no commune, a consent given two years ago); the API answers it 422, documented;
- "negative data rejection": the API ignores query parameters it does not know, as HTTP APIs do,
  and the key this test adds to every call makes a case that drops it valid again. The invalid
  requests are still sent, and must not give a 5xx; tests/api/test_edges.py checks the refusals.
"""

import uuid
from collections import defaultdict

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from maillage.accounts.models import ApiToken, Membership
from maillage.api.urls import api
from tests.accounts.factories import MembershipFactory
from tests.passes.factories import handed_out_booklet, pass_world

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore")]

EXAMPLES_PER_OPERATION = 25
ROLES = [role.value for role in Membership.Role]
NOT_CHECKED = [positive_data_acceptance, negative_data_rejection]
ANSWERS = defaultdict(set)  # operation id -> statuses met, across roles


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """Django closes a connection it finds in a transaction at each request's start and end; the
    test's data lives in one (Django's own test client disconnects the same signal)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(communes):
    """An organisation running a qualified place, a member of each role and their keys, passes."""
    world = pass_world()
    booklet = handed_out_booklet(world)
    keys = {}
    for role in ROLES:
        member = MembershipFactory(organization=world.operator, role=role).user
        keys[role] = ApiToken.issue(world.operator, member, f"Logiciel ({role})")[1]
    codes = iter(booklet.passes.order_by("position").values_list("code", flat=True))
    return {"keys": keys, "codes": codes, "place": world.place}


def _valid_case(case, world, role):
    """The operation called as a partner's software would, with data that exists."""
    operation = case.operation.label
    if "redeem" in operation:
        body = {"code": next(world["codes"]), "service": "individual", "idempotency_key": "fuzz-redeem-1"}
        return case.operation.Case(body=body)
    if "{code}" in operation:
        return case.operation.Case(path_parameters={"code": next(world["codes"])})
    if operation.startswith("POST /api/v1/help-requests"):
        body = {
            "need": "demarches",
            "commune_insee": "49007",
            "contact_preference": "call",
            "phone": "06 12 34 56 78",
            "consent": {"given_at": timezone.now().isoformat(), "channel": "oral_desk"},
            "idempotency_key": f"fuzz-{role}",
        }
        return case.operation.Case(body=body)
    if "{id}" in operation:
        return case.operation.Case(path_parameters={"id": world["place"].pk})
    if operation.startswith("GET /api/v1/places"):
        return case.operation.Case(query={"lat": 47.47, "lon": -0.55})
    return case.operation.Case(query={})


# The schema served at /api/v1/openapi.json (built without a request: collection opens no database
# connection), called through the WSGI application, with every middleware.
def _grounded(case):
    """A generated help request with a commune, a phone and a consent that exist and hold: its other
    fields, generated, reach the database (an unknown commune is refused before anything is saved)."""
    if case.operation.label != "POST /api/v1/help-requests" or not isinstance(case.body, dict):
        return None
    consent = {"given_at": timezone.now().isoformat(), "channel": "oral_desk"}
    grounded = {**case.body, "commune_insee": "49007", "place_id": None, "contact_preference": "call"}
    grounded.update(phone="06 12 34 56 78", email="", consent=consent, idempotency_key=uuid.uuid4().hex)
    return case.operation.Case(body=grounded)


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is reproduced by running the test again
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, world):
    for role, key in world["keys"].items():
        headers = {"Authorization": f"Bearer {key}"}
        if (case.operation.label, role) not in SEEDED:
            SEEDED.add((case.operation.label, role))
            cache.clear()  # the lockouts that the unknown codes of earlier calls set
            seeded = _valid_case(case, world, role).call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)
            ANSWERS[case.operation.label].add(seeded.status_code)
        response = case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)
        ANSWERS[case.operation.label].add(response.status_code)
        if grounded := _grounded(case):
            response = grounded.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)
            ANSWERS[case.operation.label].add(response.status_code)


SEEDED = set()


def test_every_operation_met_a_successful_answer_and_no_server_error():
    if not ANSWERS:
        pytest.skip("run with test_the_api_answers_as_its_schema_says, which it reads")
    assert all(any(200 <= status < 300 for status in statuses) for statuses in ANSWERS.values()), ANSWERS
    assert not any(status >= 500 for statuses in ANSWERS.values() for status in statuses), ANSWERS
