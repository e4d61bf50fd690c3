from django.utils import timezone

from maillage.helprequests import services
from maillage.helprequests.models import ConsentChannel, ContactPreference, Origin


def new_request(place=None, **fields):
    defaults = {
        "origin": Origin.PERSON,
        "need": "demarches",
        "commune_id": "49007",
        "contact_preference": ContactPreference.CALL,
        "phone": "+33612345678",
        "consent_given_at": timezone.now(),
        "consent_channel": ConsentChannel.ONLINE,
    }
    return services.submit(place=place, **{**defaults, **fields})
