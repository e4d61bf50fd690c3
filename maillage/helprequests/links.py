"""Signed links: the person follows their request without an account.

The token carries the request's id and its reference, signed with the site's secret: it cannot
be guessed or altered, and a link to an erased request leads nowhere.
"""

from django.core import signing
from django.urls import reverse

SALT = "maillage.helprequests.follow"


def token_for(help_request):
    return signing.dumps([help_request.pk, help_request.reference], salt=SALT, compress=True)


def request_id_from(token):
    """(id, reference) of a valid token, or None."""
    try:
        request_id, reference = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return request_id, reference


def follow_url(help_request):
    return reverse("helprequests:follow", kwargs={"token": token_for(help_request)})
