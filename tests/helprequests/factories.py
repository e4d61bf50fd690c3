from django.urls import reverse
from django.utils import timezone

from maillage.helprequests import services
from maillage.helprequests.models import ConsentChannel, ContactPreference, Origin
from maillage.territory.models import Commune


def new_request(place=None, commune_id="49007", submission_key="", referred_by=None, **fields):
    """A request as a person sends it online (a mobile to call back, in Angers), through ``services.submit``;
    ``referred_by``: the member who sent it, for its referrer organisation."""
    defaults = {
        "origin": Origin.PERSON,
        "need": "demarches",
        "commune": Commune.objects.get(pk=commune_id),
        "contact_preference": ContactPreference.CALL,
        "phone": "+33612345678",
        "consent": True,
        "consent_channel": ConsentChannel.ONLINE,
    }
    new = services.NewRequest(place=place, **{**defaults, **fields})
    return services.submit(new, by=referred_by, idempotency_key=submission_key)


# The three doors' inputs: the public form (three steps), the staff form, the API ---------------------

ASK = reverse("helprequests:ask")


def carried(response):
    """The hidden fields of the page's form: what the next POST sends back."""
    form = response.content.decode().split('action="' + ASK + '"')[1].split("</form>")[0]
    fields = {}
    for chunk in form.split('<input type="hidden" name="')[1:]:
        name, rest = chunk.split('"', 1)
        fields.setdefault(name, []).append(rest.split('value="', 1)[1].split('"', 1)[0] if 'value="' in rest else "")
    return fields


def post_step(client, response, **answers):
    data = {**carried(response), **answers}
    data.pop("csrfmiddlewaretoken", None)
    return client.post(ASK, data)


def three_steps(client, how, need="demarches", where="Angers (49000)", for_whom="me"):
    page = client.get(ASK)
    page = post_step(client, page, need=need, for_whom=for_whom)
    page = post_step(client, page, where=where)
    return post_step(client, page, **how)


def staff_request(**overrides):
    data = {
        "need": "demarches",
        "where": "Angers (49000)",
        "contact": "call",
        "phone": "06 11 22 33 44",
        "first_name": "Marcel",
        "destination": "nearest",
        "consent_channel": "oral_desk",
        "consent": "on",
    }
    return {**data, **overrides}


def api_request(**overrides):
    """The JSON a partner's software posts to /api/v1/help-requests."""
    return {
        "need": "demarches",
        "commune_insee": "49007",
        "contact_preference": "call",
        "phone": "06 12 34 56 78",
        "first_name": "Marcel",
        "consent": {"given_at": timezone.now().isoformat(), "channel": "oral_desk"},
        "idempotency_key": "dossier-2026-0042",
        **overrides,
    }
