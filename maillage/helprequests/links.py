"""Signed links: the person follows their request without an account.

The token carries the request's id and its reference, signed with the site's secret: it cannot
be guessed or altered, and a link to an erased request leads nowhere.
"""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

SALT = "maillage.helprequests.follow"


# The link sent to the person's phone or mailbox says so: opening it shows the contact is theirs
# (helprequests.notify.may_text). The one on the confirmation page, seen by whoever filled the form,
# does not.
SENT = "sent"


def token_for(help_request, sent=False):
    """The same link every time (no timestamp: it lasts as long as the request's personal data)."""
    payload = [help_request.pk, help_request.reference, *([SENT] if sent else [])]
    return signing.Signer(salt=SALT).sign_object(payload, compress=True)


def request_id_from(token):
    """(id, reference, sent in a message) of a valid token, or None."""
    try:
        request_id, reference, *sent = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return request_id, reference, sent == [SENT]


def follow_url(help_request, sent=False):
    return reverse("helprequests:follow", kwargs={"token": token_for(help_request, sent=sent)})


# A place without an account answers a referral through a link sent to its listed e-mail address.
PLACE_SALT = "maillage.helprequests.place"
PLACE_LINK_DAYS = 8


def place_token_for(help_request, place):
    return signing.TimestampSigner(salt=PLACE_SALT).sign_object([help_request.pk, place.pk, help_request.reference])


def place_link_from(token):
    """(request id, place id, reference, expired): expired links still say which request they were for,
    so that the place can ask for a new one; None for a forged or damaged link."""
    signer = signing.TimestampSigner(salt=PLACE_SALT)
    try:
        return (*signer.unsign_object(token, max_age=timedelta(days=PLACE_LINK_DAYS)), False)
    except signing.SignatureExpired:
        return (*signer.unsign_object(token), True)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def place_url(help_request, place):
    return reverse("helprequests:place_referral", kwargs={"token": place_token_for(help_request, place)})
