"""Every change of a help request's status: one function per move of ``states.TRANSITIONS``; and
the one way in of a new request, whichever door it comes through, with its rules (``check``).

Each move is a conditional UPDATE (``WHERE status = <the status read>``) and its Transition row,
in one transaction: two people acting at once (two places claiming, a place accepting while the
person withdraws) cannot both succeed, on SQLite as on PostgreSQL, and no move goes unlogged.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage import phones
from maillage.accounts import journal
from maillage.accounts.models import AuditEvent
from maillage.helprequests import notify
from maillage.helprequests.models import (
    ConsentChannel,
    ContactAttempt,
    ContactPreference,
    HelpRequest,
    Origin,
    Outcome,
    PersonMessage,
    Status,
    Transition,
)
from maillage.helprequests.states import DECLINE_REASONS, TRANSITIONS, IllegalTransition
from maillage.helprequests.vocabulary import LANGUAGES, MOMENTS, SUPPORT
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS

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


# A new request: one input for the three doors (the public form, the staff form, the API) ---------


@dataclass(frozen=True)
class NewRequest:
    """What a door collected: checked by ``check``, recorded by ``submit``. The phone is as typed."""

    origin: str
    need: str
    commune: object  # a Commune, or None when the door could not find one
    contact_preference: str
    consent: bool  # the person agreed that these details are kept (ticked, or said aloud to staff)
    consent_channel: str
    consent_given_at: datetime.datetime | None = None  # now, unless the door knows when
    phone: str = ""
    email: str = ""
    first_name: str = ""
    language: str = ""
    specific_support: tuple = ()
    preferred_moments: tuple = ()
    message: str = ""
    asked_by_someone_else: bool = False
    asker_name: str = ""
    asker_phone: str = ""
    asker_email: str = ""
    place: object = None  # a chosen place; without one, the nearest suitable places are offered it
    referrer_organization: object = None

    @property
    def speaks_to_the_person(self):
        """Typed by the person (or a relative) online: refusals say "you"; to staff, "the person"."""
        return self.origin in (Origin.PERSON, Origin.RELATIVE)


class RequestRefused(Exception):
    """What stops a new request, as {field of NewRequest: message}: every door shows them all at once."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


# rule: (the field it is about, what the person reads, what staff and partners' software read)
REFUSALS = {
    "need": ("need", _("Choose what you need help with."), _("Choose what the person needs help with.")),
    "commune": (
        "commune",
        _("We do not know where this commune is yet. Call the help line: we will help you."),
        _("We do not know where this commune is yet: choose a neighbouring commune."),
    ),
    "phone": ("phone", phones.UNREADABLE, phones.UNREADABLE),
    "phone_missing": (
        "phone",
        _("Type a phone number, so that we can reach you."),
        _("Type a phone number, so that the place can reach the person."),
    ),
    "email": ("email", _("The e-mail address cannot be read."), _("The e-mail address cannot be read.")),
    "email_missing": (
        "email",
        _("Type an e-mail address, so that we can write to you."),
        _("Type an e-mail address, so that the place can write to the person."),
    ),
    "asker_unreachable": (
        "asker_phone",
        _("Give us a way to reach you too: a phone number or an e-mail."),
        _("Give a way to reach the person asking too: a phone number or an e-mail."),
    ),
    "asker_phone": ("asker_phone", phones.UNREADABLE, phones.UNREADABLE),
    # A choice outside its list: the forms offer none, but software sending JSON may.
    **{
        field: (field, _("Choose from the list."), _("Choose from the list."))
        for field in ("contact_preference", "language", "specific_support", "preferred_moments")
    },
    "place": (
        "place",
        _("This place cannot receive requests: choose another one."),
        _("This place cannot receive requests: choose another one."),
    ),
    "consent": (
        "consent",
        _("We need your agreement to keep these details. Or call the help line."),
        _("Without the person's agreement, nothing can be recorded."),
    ),
    "consent_channel": (
        "consent_channel",
        _("Say how the person gave their agreement."),
        _("Say how the person gave their agreement."),
    ),
}


def _valid_email(email):
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def where_refusal(commune, to_the_person=True):
    """Why a request cannot be placed in ``commune`` (it is not located yet), or None."""
    if commune is not None and commune.latitude is not None:
        return None
    return REFUSALS["commune"][1 if to_the_person else 2]


def _broken_rules(new):
    """The rules a new request breaks, in the order a person reads the form."""
    if new.need not in NEEDS:
        yield "need"
    # Without a chosen place, the nearest places are found from the commune's position.
    if new.commune is None or (new.place is None and new.commune.latitude is None):
        yield "commune"
    if new.contact_preference not in ContactPreference.values:
        yield "contact_preference"  # and nothing about its phone or address: which is needed is unknown
    elif new.phone and not phones.read_typed(new.phone):
        yield "phone"
    elif new.contact_preference in (ContactPreference.CALL, ContactPreference.SMS) and not new.phone:
        yield "phone_missing"
    if new.email and not _valid_email(new.email):
        yield "email"
    elif new.contact_preference == ContactPreference.EMAIL and not new.email:
        yield "email_missing"
    if new.asker_phone and not phones.read_typed(new.asker_phone):
        yield "asker_phone"
    elif new.asked_by_someone_else and not (new.asker_phone or new.asker_email):
        yield "asker_unreachable"
    if new.language not in LANGUAGES:
        yield "language"
    if not set(new.specific_support) <= set(SUPPORT):
        yield "specific_support"
    if not set(new.preferred_moments) <= set(MOMENTS):
        yield "preferred_moments"
    if new.place is not None and not Place.objects.taking_requests().filter(pk=new.place.pk).exists():
        yield "place"
    if new.consent_channel not in ConsentChannel.values:
        yield "consent_channel"
    if not new.consent:
        yield "consent"


def check(new):
    """{field: message} of every rule ``new`` breaks, in the voice of whoever typed it; empty when
    it can be recorded."""
    errors = {}
    for rule in _broken_rules(new):
        field, to_the_person, to_staff = REFUSALS[rule]
        errors.setdefault(field, to_the_person if new.speaks_to_the_person else to_staff)
    return errors


def _submission_key(new, idempotency_key):
    """Where a retried form or call finds its first request: the key, within its door's scope (the
    public form, or the organisation that records), hashed to a fixed length."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", idempotency_key or ""):
        return None
    organization = new.referrer_organization
    scope = f"organization:{organization.pk}" if organization is not None else "person"
    return hashlib.sha256(f"{scope}:{idempotency_key}".encode()).hexdigest()


def already_submitted(new, idempotency_key):
    """Whether a request was recorded with this key (sending it again shows that one, records nothing)."""
    submission_key = _submission_key(new, idempotency_key)
    return bool(submission_key) and HelpRequest.objects.filter(submission_key=submission_key).exists()


def submit(new, *, by=None, idempotency_key=""):
    """Record a new request, checked by the rules of ``check`` (RequestRefused says which ones it
    breaks). Sent again with the same idempotency key, it returns the first request, unchanged, and
    marked ``replayed``."""
    submission_key = _submission_key(new, idempotency_key)
    if submission_key and (existing := HelpRequest.objects.filter(submission_key=submission_key).first()):
        existing.replayed = True
        return existing
    if errors := check(new):
        raise RequestRefused(errors)
    now = timezone.now()
    fields = {name: getattr(new, name) for name in RECORDED_FIELDS}
    fields.update(
        phone=phones.read_typed(new.phone) if new.phone else "",
        asker_phone=phones.read_typed(new.asker_phone) if new.asker_phone else "",
        email=new.email.strip(),
        specific_support=list(new.specific_support),
        preferred_moments=list(new.preferred_moments),
        consent_given_at=min(new.consent_given_at or now, now),
        consent_recorded_by=None if new.speaks_to_the_person else by,
        referred_by=by if new.referrer_organization is not None else None,
        # A member recording it has the person before them or on the phone: the number is theirs.
        person_shown_real_at=now if by is not None else None,
    )
    action = "refer" if new.place is not None else "submit"
    try:
        with transaction.atomic():
            help_request = HelpRequest.objects.create(
                submission_key=submission_key,
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
                actor=by if by is not None and by.is_authenticated else None,
                by_the_person=by is None,
            )
            notify.after_move(help_request, transition)
    except IntegrityError:
        if submission_key and (existing := HelpRequest.objects.filter(submission_key=submission_key).first()):
            existing.replayed = True
            return existing  # the same form, sent twice at the same moment
        raise
    help_request.replayed = False
    return help_request


RECORDED_FIELDS = [
    "origin",
    "need",
    "commune",
    "contact_preference",
    "consent_channel",
    "first_name",
    "language",
    "message",
    "asked_by_someone_else",
    "asker_name",
    "asker_email",
    "place",
    "referrer_organization",
]


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
        # An appointment is arranged with the person: the number is theirs (its texts may go).
        person_shown_real_at=help_request.person_shown_real_at or timezone.now(),
    )


def close(help_request, by, outcome, note="", cancel_appointment=False):
    """Close a request; one with an appointment to come only when ``cancel_appointment`` says so
    (the person is then told it is cancelled)."""
    if outcome not in Outcome.values:
        raise ValueError(f"Unknown outcome: {outcome}")
    if help_request.has_upcoming_appointment and not cancel_appointment:
        raise IllegalTransition("close", "an appointment is to come: cancel it first")
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
    if kind == ContactAttempt.Kind.CALLED:  # a member talked with the person: the number is theirs
        person_shown_real(help_request)
    return ContactAttempt.objects.create(request=help_request, kind=kind, by=by)


def person_shown_real(help_request):
    """The person showed the number is theirs: texts to it are no longer held to one a day."""
    HelpRequest.objects.filter(pk=help_request.pk, person_shown_real_at__isnull=True).update(
        person_shown_real_at=timezone.now()
    )


def read_request(help_request, *, by, exported="", organization=None, **details):
    """Someone reads a person's request (or exports it, ``exported`` saying why): a journal line,
    under the organisation that has it (its place's, else its referrer's, unless ``organization``)."""
    if organization is None:
        organization = help_request.place.organization if help_request.place else help_request.referrer_organization
    if exported:
        details["what"] = exported
    action = AuditEvent.Action.EXPORT if exported else AuditEvent.Action.PERSONAL_RECORD_VIEWED
    journal.record(action, actor=by, target=help_request, organization=organization, **details)


def renew_place_link(help_request, place):
    """A place without an account opened an expired link while the person still waits for it: a new
    link goes to the place's listed addresses (at most one a day), never to whoever opened it."""
    if help_request.place_id == place.pk and help_request.status == Status.REFERRED:
        notify.renew_place_link(help_request, place)


def add_person_message(help_request, text):
    if not help_request.is_open:
        raise IllegalTransition("message", help_request.status)
    with transaction.atomic():
        message = PersonMessage.objects.create(request=help_request, text=text)
        notify.person_message(help_request, message)
    return message
