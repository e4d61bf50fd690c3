"""What a refused pass action means, once for every door: the words for people (the till in the
visitor's language, the API in English, the messages' source text), the API's status, the form field
it is about; and the limits on typed codes, the same at the till and through the API.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage import formatting
from maillage.ratelimit import Lockout, is_over_limit

# reason: (HTTP status for the API, the message, the field of the form or request it is about)
REFUSALS = {
    "typo": (422, _("This code has a typo: check each character and type it again."), "code"),
    "not_a_code": (
        422,
        _("This is not a pass code: a code has 15 letters and digits, in three groups of five."),
        "code",
    ),
    "unknown": (404, _("No pass has this code. Check it with the person, or call the help line."), "code"),
    "already_redeemed": (409, _("This pass has already been used."), "code"),
    "expired": (410, _("This pass has expired: it can no longer be used."), "code"),
    "blocked": (410, _("This pass is blocked (reported lost or handed out by mistake). It cannot be used."), "code"),
    "not_handed_out": (403, _("This pass was not handed out to anyone yet: it cannot be used."), "code"),
    "not_started": (403, _("This pass's programme has not started yet."), "code"),
    "not_qualified": (
        403,
        _("This place is not on the list of places that take passes of this programme."),
        "place",
    ),
    "service_not_allowed": (403, _("This programme does not pay for this service."), "service"),
    "not_enough_passes": (403, _("This service costs more passes than the person has left."), "service"),
    "not_your_place": (403, _("This place is not one of your organisation's places."), "place"),
    "no_place": (403, _("Your organisation has no place that takes passes."), "place"),
    "choose_place": (422, _("Your organisation has several places: say at which one the pass is used."), "place"),
    "outside_territory": (403, _("This commune is outside the programme's territory."), "commune"),
    "cancelled": (409, _("This use of the pass was cancelled: use it again with a new key."), "code"),
    "program_ended": (409, _("This programme has ended."), None),
    "key_reused": (422, _("This idempotency key was already used for another code."), None),
    "cannot_cancel": (
        409,
        _("This use can no longer be cancelled: it was cancelled already or is in a statement."),
        None,
    ),
    "not_same_day": (409, _("A use of passes can only be cancelled on the day it was made."), None),
    "no_reason": (422, _("Say why the pass is blocked."), "reason"),
    "cannot_block": (409, _("This pass cannot be blocked or unblocked in its current state."), "code"),
    "cannot_unblock": (409, _("This pass cannot be blocked or unblocked in its current state."), "code"),
    "locked": (429, _("Too many unknown codes were typed. Wait %(minutes)s minutes, then try again."), "code"),
    "too_fast": (429, _("Too many codes in a minute. Wait a moment, then try again."), "code"),
}
OTHERWISE = (409, _("This action is not possible on this pass now."), None)

# Guessing codes: after 10 unknown codes or typos in 15 minutes, an account, a key or an address
# waits 15 minutes. A person typing honestly never gets there.
code_lockout = Lockout("pass_code", limit=10, period_seconds=15 * 60)
GUESSING_SIGNS = {"typo", "not_a_code", "unknown"}
# Scans allowed per minute to one key, account or address, used or not.
SCANS_PER_MINUTE = 60


class PassActionRefused(Exception):
    """An action that the rules do not allow; ``reason`` says which rule, for the message to show."""

    def __init__(self, reason, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def message(reason):
    return REFUSALS.get(reason, OTHERWISE)[1]


@dataclass
class Explanation:
    """A refusal told to the one who met it: ``organization_id`` is theirs, to say where a pass was
    used only when it was at one of their places."""

    reason: str
    status: int
    message: str
    field: str | None
    redeemed_at: object = None
    place_id: int | None = None


def explained(refusal, organization_id):
    status, words, field = REFUSALS.get(refusal.reason, OTHERWISE)
    text = str(words)
    earlier = refusal.details.get("redemption")
    explanation = Explanation(refusal.reason, status, text, field)
    if refusal.reason == "already_redeemed" and earlier is not None:
        when = timezone.localtime(earlier.redeemed_at)
        explanation.redeemed_at = earlier.redeemed_at
        day, time = formatting.day(when), formatting.time_of_day(when)
        if earlier.organization_id == organization_id:
            explanation.place_id = earlier.place_id
            words = _("This pass was already used on %(day)s at %(time)s, at %(place)s.")
            explanation.message = words % {"day": day, "time": time, "place": formatting.after_a(earlier.place.name)}
        else:
            explanation.message = _("This pass was already used on %(day)s, at another place.") % {"day": day}
    elif refusal.reason == "not_enough_passes":
        words = _("This service costs more passes than the person has left (%(left)s).")
        explanation.message = words % {"left": refusal.details.get("passes_left", 0)}
    elif refusal.reason == "locked":
        explanation.message = text % {"minutes": code_lockout.wait_minutes}
    return explanation


def guarded(scope, identities, action):
    """Run ``action`` (a redemption, a check) behind the limits on typed codes, the same at every
    door: refused while an identity (an account, a key, an address) is locked out or types too fast;
    an unknown code or a typo counts towards the lockout of each identity."""
    if code_lockout.is_locked(*identities):
        raise PassActionRefused("locked")
    if any(is_over_limit(scope, identity, SCANS_PER_MINUTE, 60) for identity in identities):
        raise PassActionRefused("too_fast")
    try:
        return action()
    except PassActionRefused as refusal:
        if refusal.reason in GUESSING_SIGNS:
            code_lockout.record_failure(*identities)
        raise
