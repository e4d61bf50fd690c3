"""The moves a help request may make: one table, read by every service function and by the tests.

action: (the statuses it may start from, the status it leads to). A move from any other status
raises ``IllegalTransition``: an expired, withdrawn or closed request cannot be accepted, claimed
or booked.
"""

from django.utils.translation import gettext_lazy as _

from maillage.helprequests.models import WAITING, WITH_A_PLACE, Status

TRANSITIONS = {
    "submit": (frozenset({""}), Status.NEW),
    "refer": (frozenset({"", Status.NEW, Status.DECLINED, Status.ESCALATED}), Status.REFERRED),
    "claim": (frozenset({Status.NEW, Status.ESCALATED}), Status.CLAIMED),
    "accept": (frozenset({Status.REFERRED}), Status.CLAIMED),
    "decline": (frozenset({Status.REFERRED}), Status.DECLINED),
    "transfer": (frozenset({Status.REFERRED, Status.CLAIMED, Status.APPOINTMENT}), Status.REFERRED),
    "reoffer": (frozenset({Status.DECLINED}), Status.NEW),
    "escalate": (frozenset({Status.NEW, Status.REFERRED, Status.DECLINED}), Status.ESCALATED),
    "book": (WITH_A_PLACE, Status.APPOINTMENT),
    "close": (WITH_A_PLACE, Status.CLOSED),
    "withdraw": (WAITING | WITH_A_PLACE, Status.WITHDRAWN),
    "expire": (WAITING, Status.EXPIRED),
}

# Why a place declines a referral. The referrer sees the reason; the person never does.
DECLINE_REASONS = {
    "no_slot": _("No free slot soon enough"),
    "not_offered": _("We do not offer this kind of help"),
    "too_far": _("Too far from where the person lives"),
    "language": _("We cannot help in the person's language"),
    "support": _("We cannot provide the specific support needed"),
    "other": _("Another reason (explained in the note)"),
}

# What the person reads on their follow-up page, for each status: plain words, no jargon.
FOR_THE_PERSON = {
    Status.NEW: _("Your request has been received. We are looking for a help place near you."),
    Status.REFERRED: _("Your request has been sent to a help place. It will answer soon."),
    Status.DECLINED: _("We are looking for another help place for you."),
    Status.ESCALATED: _("The team of your territory is looking for a help place for you."),
    Status.CLAIMED: _("A help place has taken your request. Someone will contact you."),
    Status.APPOINTMENT: _("You have an appointment."),
    Status.CLOSED: _("Your request is closed."),
    Status.WITHDRAWN: _("You told us you no longer need help. Your request is closed."),
    Status.EXPIRED: _("We could not find help in time. Your request is closed. Call us: we will help you."),
}


class IllegalTransition(Exception):
    def __init__(self, action, status):
        super().__init__(f"A request that is {status or 'not yet created'} cannot be moved by '{action}'.")
        self.action = action
        self.status = status


def allowed_actions(status):
    return {action for action, (sources, _target) in TRANSITIONS.items() if status in sources}
