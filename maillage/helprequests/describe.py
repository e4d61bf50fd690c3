"""A help request told to the people who read it: the person (in their words, contacts masked on
their own pages), staff (with who acted, why and their notes), and the right of access (everything
kept, for the page to print and the JSON file)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage import formatting
from maillage.helprequests.states import DECLINE_REASONS, FOR_THE_PERSON
from maillage.helprequests.vocabulary import ATTEMPT_WORDS, MOMENTS, PERSON_WORDS, SUPPORT
from maillage.personal_data import HELP_REQUEST_PERSONAL_FIELDS
from maillage.places.vocabulary import NEEDS, label


def described(help_request, masked=True):
    """What the person asked, in their words. Contacts are masked on the person's own pages: the
    link may be seen by others."""
    return {
        "need": label(NEEDS, help_request.need),
        "moments": [MOMENTS[key] for key in help_request.preferred_moments if key in MOMENTS],
        "language": help_request.language_label,
        "support": [SUPPORT[key] for key in help_request.specific_support if key in SUPPORT],
        "phone": masked_phone(help_request.phone) if masked else formatting.phone_display(help_request.phone),
        "email": masked_email(help_request.email) if masked else help_request.email,
        "status": FOR_THE_PERSON[help_request.status],
    }


def masked_phone(phone):
    """Enough of a number to recognise it, not enough to use it."""
    return f"•• •• •• {phone[-4:-2]} {phone[-2:]}" if len(phone) >= 4 else ""


def masked_email(email):
    if "@" not in email:
        return ""
    name, domain = email.split("@", 1)
    return f"{name[:1]}•••@{domain}"


def timeline(help_request):
    """Each step, in plain words, oldest first. Reasons and staff notes are never shown here."""
    events = [(move.at, PERSON_WORDS[move.action]) for move in help_request.transitions.all()]
    events += [(attempt.at, ATTEMPT_WORDS[attempt.kind]) for attempt in help_request.contact_attempts.all()]
    events += [(message.at, _("You sent a message.")) for message in help_request.person_messages.all()]
    return sorted(events, key=lambda event: event[0])


def staff_timeline(help_request):
    events = [
        (move.at, PERSON_WORDS[move.action], move.actor, DECLINE_REASONS.get(move.reason, ""), move.staff_note)
        for move in help_request.transitions.select_related("actor")
    ]
    events += [
        (attempt.at, ATTEMPT_WORDS[attempt.kind], attempt.by, "", "")
        for attempt in help_request.contact_attempts.select_related("by")
    ]
    events += [
        (message.at, _("Message from the person:"), None, "", message.text)
        for message in help_request.person_messages.all()
    ]
    return sorted(events, key=lambda event: event[0])


ACCESS_LABELS = {
    "reference": gettext_lazy("Reference"),
    "created_at": gettext_lazy("Asked on"),
    "status": gettext_lazy("Status"),
    "need": gettext_lazy("Help with"),
    "commune": gettext_lazy("Commune"),
    "contact_preference": gettext_lazy("Wishes"),
    "first_name": gettext_lazy("First name"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "asker_name": gettext_lazy("Asked by"),
    "asker_phone": gettext_lazy("Phone of the person asking"),
    "asker_email": gettext_lazy("E-mail of the person asking"),
    "message": gettext_lazy("Message"),
    "preferred_moments": gettext_lazy("When"),
    "language": gettext_lazy("Language"),
    "specific_support": gettext_lazy("Specific support"),
    "place": gettext_lazy("Help place"),
    "appointment_at": gettext_lazy("Appointment"),
    "outcome": gettext_lazy("Outcome"),
}


def _when(moment, readable):
    if moment is None:
        return None
    return formatting.moment(moment, weekday=False, year=True) if readable else moment.isoformat()


def access_record(help_request, readable=False):
    """Everything kept about the person: ISO times for the file, times in words for the page."""
    words = described(help_request, masked=False)
    return {
        "reference": help_request.reference,
        "created_at": _when(help_request.created_at, readable),
        "status": str(help_request.get_status_display()),
        "need": str(help_request.need_label),
        "commune": help_request.commune.label if help_request.commune else "",
        "contact_preference": str(help_request.get_contact_preference_display()),
        **{name: getattr(help_request, name) for name in HELP_REQUEST_PERSONAL_FIELDS},
        "preferred_moments": [str(moment) for moment in words["moments"]],
        "language": str(words["language"]),
        "specific_support": [str(support) for support in words["support"]],
        "consent": {
            "given_at": _when(help_request.consent_given_at, readable),
            "channel": str(help_request.get_consent_channel_display()),
        },
        "place": help_request.place.name if help_request.place else "",
        "appointment_at": _when(help_request.appointment_at, readable),
        "outcome": str(help_request.get_outcome_display()) if help_request.outcome else "",
        "history": [
            {
                "at": _when(move.at, readable),
                "what": str(PERSON_WORDS[move.action]),
                "reason": str(DECLINE_REASONS.get(move.reason, "")),
                "note": move.staff_note,
            }
            for move in help_request.transitions.all()
        ],
        "contact_attempts": [
            {"at": _when(attempt.at, readable), "what": str(attempt.get_kind_display())}
            for attempt in help_request.contact_attempts.all()
        ],
        "messages_from_the_person": [
            {"at": _when(message.at, readable), "text": message.text} for message in help_request.person_messages.all()
        ],
    }
