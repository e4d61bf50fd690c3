"""The life of a pass: which move takes it from which statuses to which one.

ordered → active (in stock) → with distributor → handed out → redeemed → in payout → paid;
side exits: blocked (with a reason, reversible to where it was) and expired (its value refunded to
the funder as a credit note). A cancelled redemption takes the passes back to handed out.
A booklet's state is derived from its passes, never stored.

Every move is a conditional UPDATE on these source statuses, in services.py; a move that finds a
pass in another status changes nothing.
"""

from django.utils.translation import gettext_lazy as _

from maillage.passes.models import PassStatus as S

TRANSITIONS = {
    "pay_order": ({S.ORDERED}, S.ACTIVE),
    "assign": ({S.ACTIVE}, S.WITH_DISTRIBUTOR),
    "hand_out": ({S.WITH_DISTRIBUTOR}, S.HANDED_OUT),
    "redeem": ({S.HANDED_OUT}, S.REDEEMED),
    "cancel_redemption": ({S.REDEEMED}, S.HANDED_OUT),
    "include_in_payout": ({S.REDEEMED}, S.IN_PAYOUT),
    "pay_out": ({S.IN_PAYOUT}, S.PAID),
    "block": ({S.ACTIVE, S.WITH_DISTRIBUTOR, S.HANDED_OUT}, S.BLOCKED),
    "unblock": ({S.BLOCKED}, None),  # back to the status it had before the block
    "expire": ({S.ORDERED, S.ACTIVE, S.WITH_DISTRIBUTOR, S.HANDED_OUT, S.BLOCKED}, S.EXPIRED),
}

USED = {S.REDEEMED, S.IN_PAYOUT, S.PAID}
# Passes whose value is still in the programme's float once their order is paid.
IN_FLOAT = {S.ACTIVE, S.WITH_DISTRIBUTOR, S.HANDED_OUT, S.BLOCKED}


BOOKLET_STATES = {
    S.ORDERED: _("ordered, not paid yet"),
    S.ACTIVE: _("in stock"),
    S.WITH_DISTRIBUTOR: _("to hand out"),
    "in_use": _("handed out in part"),
    "used": _("all handed out"),
    S.EXPIRED: _("expired"),
}


def booklet_state(statuses):
    """A booklet's state, from its passes' statuses, as its holder sees it."""
    statuses = set(statuses)
    if statuses <= {S.ORDERED}:
        return S.ORDERED
    if statuses <= {S.EXPIRED}:
        return S.EXPIRED
    given = bool(statuses & (USED | {S.HANDED_OUT}))
    if S.WITH_DISTRIBUTOR in statuses:
        return "in_use" if given else S.WITH_DISTRIBUTOR
    return "used" if given else S.ACTIVE
