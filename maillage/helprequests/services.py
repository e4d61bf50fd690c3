"""Every change of a help request's status: one function per move of ``states.TRANSITIONS``.

Each move is a conditional UPDATE (``WHERE status = <the status read>``) and its Transition row,
in one transaction: two people acting at once (two places claiming, a place accepting while the
person withdraws) cannot both succeed, on SQLite as on PostgreSQL, and no move goes unlogged.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.accounts import journal
from maillage.accounts.models import AuditEvent
from maillage.helprequests import notify
from maillage.helprequests.models import ContactAttempt, HelpRequest, Outcome, PersonMessage, Transition
from maillage.helprequests.states import DECLINE_REASONS, TRANSITIONS, IllegalTransition

MAX_CONTACT_ATTEMPTS = 3


def _move(help_request, action, *, actor=None, by_the_person=False, reason="", staff_note="", **changes):
    sources, target = TRANSITIONS[action]
    # The place the move is about: the new one (refer, claim…), or the one a decline or an escalation lets go.
    concerned_place = changes["place"] if changes.get("place") is not None else help_request.place
    now = timezone.now()
    with transaction.atomic():
        current = HelpRequest.objects.filter(pk=help_request.pk).values_list("status", flat=True).first()
        if current not in sources:
            raise IllegalTransition(action, current)
        changes.update(status=target, status_changed_at=now)
        if not HelpRequest.objects.filter(pk=help_request.pk, status=current).update(**changes):
            raise IllegalTransition(action, current)  # someone moved it between our read and our write
        for field, value in changes.items():
            setattr(help_request, field, value)
        transition = Transition.objects.create(
            request=help_request,
            action=action,
            from_status=current,
            to_status=target,
            at=now,
            actor=actor if actor is not None and actor.is_authenticated else None,
            by_the_person=by_the_person,
            reason=reason,
            staff_note=staff_note,
            place=concerned_place,
        )
        notify.after_move(help_request, transition)
    return help_request


def submit(*, submission_key=None, place=None, actor=None, **fields):
    """Record a new request. The same submission key twice returns the first request, unchanged."""
    if submission_key:
        existing = HelpRequest.objects.filter(submission_key=submission_key).first()
        if existing:
            return existing
    action = "refer" if place is not None else "submit"
    now = timezone.now()
    try:
        with transaction.atomic():
            help_request = HelpRequest.objects.create(
                submission_key=submission_key,
                place=place,
                status=TRANSITIONS[action][1],
                status_changed_at=now,
                created_at=now,
                **fields,
            )
            transition = Transition.objects.create(
                request=help_request,
                action=action,
                from_status="",
                to_status=help_request.status,
                at=now,
                actor=actor if actor is not None and actor.is_authenticated else None,
                by_the_person=actor is None,
            )
            notify.after_move(help_request, transition)
    except IntegrityError:
        if submission_key and (existing := HelpRequest.objects.filter(submission_key=submission_key).first()):
            return existing  # the same form, sent twice at the same moment
        raise
    return help_request


def claim(help_request, place, by):
    return _move(help_request, "claim", actor=by, place=place, assigned_to=by)


def accept(help_request, by):
    return _move(help_request, "accept", actor=by, assigned_to=by)


def decline(help_request, by, reason, note=""):
    if reason not in DECLINE_REASONS:
        raise ValueError(f"Unknown reason to decline: {reason}")
    # The place that declines stops seeing the person; the move keeps which place it was.
    return _move(help_request, "decline", actor=by, reason=reason, staff_note=note, place=None, assigned_to=None)


def _referrer_if_none(help_request, by, organization):
    """Whoever sends a request on becomes its referrer if it had none: someone hears of a decline."""
    if help_request.referrer_organization_id is not None or organization is None:
        return {}
    return {"referrer_organization": organization, "referred_by": by}


def refer(help_request, place, by, note="", on_behalf_of=None):
    return _move(
        help_request,
        "refer",
        actor=by,
        staff_note=note,
        place=place,
        assigned_to=None,
        **_referrer_if_none(help_request, by, on_behalf_of),
    )


def transfer(help_request, place, by, note="", on_behalf_of=None):
    return _move(
        help_request,
        "transfer",
        actor=by,
        staff_note=note,
        place=place,
        assigned_to=None,
        **_referrer_if_none(help_request, by, on_behalf_of),
    )


def reoffer(help_request, by):
    """A declined referral goes back to the nearest suitable places."""
    return _move(help_request, "reoffer", actor=by, place=None, assigned_to=None)


def escalate(help_request):
    """To the coordination: a place that never answered a referral stops seeing the person."""
    return _move(help_request, "escalate", place=None, assigned_to=None)


def book(help_request, by, when, note="", place=None, remote=False):
    """An appointment: at one of the helping organisation's places (the request's by default), or remote."""
    where = None if remote else (place or help_request.place)
    return _move(
        help_request,
        "book",
        actor=by,
        staff_note=note,
        appointment_at=when,
        appointment_place=where,
        appointment_remote=remote,
    )


def close(help_request, by, outcome, note=""):
    if outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome: {outcome}")
    if outcome == Outcome.UNREACHABLE and help_request.contact_attempts.count() < MAX_CONTACT_ATTEMPTS:
        raise IllegalTransition("close", f"unreachable after fewer than {MAX_CONTACT_ATTEMPTS} attempts")
    return _move(
        help_request, "close", actor=by, reason=outcome, staff_note=note, outcome=outcome, closed_at=timezone.now()
    )


def withdraw(help_request):
    """The person says they no longer need help (from their link, or by phone through staff)."""
    return _move(
        help_request, "withdraw", by_the_person=True, outcome=Outcome.NO_LONGER_NEEDED, closed_at=timezone.now()
    )


def expire(help_request):
    return _move(help_request, "expire", closed_at=timezone.now())


def assign(help_request, member):
    """Give a request the place has to one of its members (not a status change)."""
    HelpRequest.objects.filter(pk=help_request.pk).update(assigned_to=member)
    help_request.assigned_to = member
    return help_request


def log_contact_attempt(help_request, kind, by):
    if not help_request.is_open:
        raise IllegalTransition("contact", help_request.status)
    return ContactAttempt.objects.create(request=help_request, kind=kind, by=by)


def read_request(help_request, *, by, exported="", organization=None, **details):
    """Someone reads a person's request (or exports it, ``exported`` saying why): a journal line,
    under the organisation that has it (its place's, else its referrer's, unless ``organization``)."""
    if organization is None:
        organization = help_request.place.organization if help_request.place else help_request.referrer_organization
    if exported:
        details["what"] = exported
    action = AuditEvent.Action.EXPORT if exported else AuditEvent.Action.PERSONAL_RECORD_VIEWED
    journal.record(action, actor=by, target=help_request, organization=organization, **details)


def add_person_message(help_request, text):
    if not help_request.is_open:
        raise IllegalTransition("message", help_request.status)
    with transaction.atomic():
        message = PersonMessage.objects.create(request=help_request, text=text)
        notify.person_message(help_request, message)
    return message
