"""What a refused pass action means, in words for people (translated) and as a status for the API.

The API answers in English (the messages' source text), the web pages in the visitor's language.
"""

from django.utils.translation import gettext_lazy as _

from maillage.ratelimit import Lockout

# (HTTP status for the API, the message)
REFUSALS = {
    "typo": (422, _("This code has a typo: check each character and type it again.")),
    "not_a_code": (422, _("This is not a pass code: a code has 15 letters and digits, in three groups of five.")),
    "unknown": (404, _("No pass has this code. Check it with the person, or call the help line.")),
    "already_redeemed": (409, _("This pass has already been used.")),
    "expired": (410, _("This pass has expired: it can no longer be used.")),
    "blocked": (410, _("This pass is blocked (reported lost or handed out by mistake). It cannot be used.")),
    "not_handed_out": (403, _("This pass was not handed out to anyone yet: it cannot be used.")),
    "not_started": (403, _("This pass's programme has not started yet.")),
    "not_qualified": (403, _("This place is not on the list of places that take passes of this programme.")),
    "service_not_allowed": (403, _("This programme does not pay for this service.")),
    "not_enough_passes": (403, _("This service costs more passes than the person has left.")),
    "outside_territory": (403, _("This commune is outside the programme's territory.")),
    "cancelled": (409, _("This use of the pass was cancelled: use it again with a new key.")),
    "program_ended": (409, _("This programme has ended.")),
    "key_reused": (422, _("This idempotency key was already used for another code.")),
    "cannot_cancel": (409, _("This use can no longer be cancelled: it was cancelled already or is in a statement.")),
    "not_same_day": (409, _("A use of passes can only be cancelled on the day it was made.")),
}

# Guessing codes: after 10 unknown codes or typos in 15 minutes, an account, a key or an address
# waits 15 minutes. A person typing honestly never gets there.
code_lockout = Lockout("pass_code", limit=10, period_seconds=15 * 60)
GUESSING_SIGNS = {"typo", "not_a_code", "unknown"}
# Scans allowed per minute to one key, account or address, used or not.
SCANS_PER_MINUTE = 60


def message(reason):
    return REFUSALS.get(reason, (409, _("This action is not possible on this pass now.")))[1]
