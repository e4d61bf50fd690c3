"""The registry of every model field that holds personal data, with its retention rule.

A test (tests/test_personal_data.py) fails when a field whose name looks personal is in
neither PERSONAL_FIELDS nor NOT_PERSONAL: a new field must say how long it is kept. Retention
jobs (management commands, dry-run by default) read their periods from here; the privacy page
states the same periods in plain words.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Retention:
    purpose: str
    kept_for_days: int | None  # None: as long as the rule below says, then anonymised
    rule: str


ACCOUNT = Retention(
    purpose="Log in and work in the network",
    kept_for_days=365,
    rule="While the person is a member of an organisation; anonymised 1 year after their last membership ends.",
)
JOURNAL = Retention(
    purpose="Security and accountability of access to personal data",
    kept_for_days=365,
    rule="1 year from the event, then deleted by the journal's owner-level purge.",
)

PLACE_CONTACT = Retention(
    purpose="Let people contact a help place",
    kept_for_days=None,
    rule="While the listing exists; its owner edits or removes it at any time.",
)

HELP_REQUEST = Retention(
    purpose="Find help for a person and follow their request (their consent is recorded with it)",
    kept_for_days=None,
    rule=(
        "While the request is open; erased 12 months after it is closed (HELP_REQUEST_RETENTION_MONTHS), "
        "by manage.py purge_personal_data. What remains (need, commune, dates, outcome) names nobody."
    ),
)

# Fields of a help request that are erased when it is anonymised (helprequests.retention).
HELP_REQUEST_PERSONAL_FIELDS = (
    "first_name",
    "phone",
    "email",
    "asker_name",
    "asker_phone",
    "asker_email",
    "message",
    "preferred_moments",
    "language",
    "specific_support",
)

PASS_HANDOVER = Retention(
    purpose="Tell the funder, in groups of 5 people or more, whom its passes reached",
    kept_for_days=365,
    rule=(
        "Never a name. The age band, situation and commune of a handover are erased 12 months after the "
        "programme's passes expire (manage.py pass_upkeep); the counts already reported stay."
    ),
)
ACTIVITY_NOTE = Retention(
    purpose="Remember, within the organisation, what an accompaniment needs next",
    kept_for_days=365,
    rule="Warned against personal details; erased a year after the accompaniment (manage.py purge_activity_data).",
)
BENEFICIARY = Retention(
    purpose="Follow a person's accompaniments within one organisation, with their recorded consent",
    kept_for_days=None,
    rule=(
        "Until the person asks for its deletion, or 24 months after their last accompaniment "
        "(BENEFICIARY_RETENTION_MONTHS): then anonymised by manage.py purge_activity_data. The accompaniments "
        "stay as statistics, attached to nobody."
    ),
)
WORKSHOP_REGISTRATION = Retention(
    purpose="Keep a place in a workshop, remind the person the day before, let them cancel",
    kept_for_days=30,
    rule="Erased 30 days after the session (WORKSHOP_REGISTRATION_RETENTION_DAYS) by manage.py purge_activity_data.",
)
BANK_DETAILS = Retention(
    purpose="Pay an organisation for the passes used at its places",
    kept_for_days=None,
    rule="While the organisation takes passes; its administrators change or remove them at any time.",
)

PERSONAL_FIELDS = {
    "accounts.User.email": ACCOUNT,
    "accounts.User.first_name": ACCOUNT,
    "accounts.User.last_name": ACCOUNT,
    "accounts.User.password": ACCOUNT,
    "accounts.User.last_login": ACCOUNT,
    "accounts.Invitation.email": Retention(
        purpose="Send an invitation to join an organisation",
        kept_for_days=30,
        rule="Until accepted, or 30 days after the link expires.",
    ),
    "accounts.AuditEvent.actor_label": JOURNAL,
    "accounts.AuditEvent.target_label": JOURNAL,
    "accounts.AuditEvent.details": JOURNAL,
    "places.PlaceCorrection.reporter_contact": Retention(
        purpose="Answer the person who reported an error on a listing",
        kept_for_days=None,
        rule="Until the report is handled, then erased (places.services.resolve_correction).",
    ),
    "places.PlaceCorrection.message": Retention(
        purpose="Fix a listing",
        kept_for_days=None,
        rule="Kept with the report, which is about a place; people are asked for no personal detail in it.",
    ),
    **{f"helprequests.HelpRequest.{name}": HELP_REQUEST for name in HELP_REQUEST_PERSONAL_FIELDS},
    "helprequests.PersonMessage.text": HELP_REQUEST,
    "notifications.Notification.recipient": Retention(
        purpose="Send one message (SMS or e-mail) about a request, an appointment or a workshop",
        kept_for_days=None,
        rule="Until the message is sent, then erased with its text; messages given up are erased by "
        "purge_personal_data.",
    ),
    "notifications.Notification.recipient_digest": Retention(
        purpose="At most one text a day to a number until its person shows it is theirs",
        kept_for_days=1,
        rule="A keyed digest, not the number; erased by purge_personal_data a day after the message.",
    ),
    "notifications.Notification.body": Retention(
        purpose="Send one message (SMS or e-mail)",
        kept_for_days=None,
        rule="Until the message is sent, then erased.",
    ),
    "helprequests.Transition.staff_note": HELP_REQUEST,
    "activities.Accompaniment.note": ACTIVITY_NOTE,
    **{
        f"activities.Beneficiary.{name}": BENEFICIARY
        for name in (
            "first_name",
            "birth_year_band",
            "commune",
            "phone",
            "email",
            "consent_at",
            "consent_way",
            "consent_purposes",
        )
    },
    **{f"activities.Registration.{name}": WORKSHOP_REGISTRATION for name in ("first_name", "phone", "email")},
    "passes.Handover.age_band": PASS_HANDOVER,
    "passes.Handover.public": PASS_HANDOVER,
    "passes.Handover.commune": PASS_HANDOVER,
    # An organisation's account, but a sole trader's is a person's.
    "passes.BankDetails.holder": BANK_DETAILS,
    "passes.BankDetails.iban": BANK_DETAILS,
    "passes.BankDetails.bic": BANK_DETAILS,
    # A place's contact is a structure's public contact, but it sometimes names an agent.
    "places.Place.phone": PLACE_CONTACT,
    "places.Place.emails": PLACE_CONTACT,
}

# Fields whose names look personal but hold none, and why.
NOT_PERSONAL = {
    "accounts.Organization.name": "the name of a structure, public",
    "accounts.ApiToken.name": "the name of a partner's software",
    "territory.Commune.name": "a place name",
    "territory.Commune.search_name": "a place name, folded for search",
    "places.Place.name": "the name of a help place, public",
    "places.Place.commune_name": "a place name",
    "places.Place.address": "the public address of a help place",
    "places.Place.address_complement": "the public address of a help place",
    "places.Place.labels": "labels of a help place",
    "helprequests.HelpRequest.contact_preference": "call, text or e-mail: a choice, not a contact",
    "places.Place.other_labels": "labels of a help place",
    "passes.PassProgram.name": "the name of a funder's programme",
    "passes.Counter.name": "the name of a numbering series",
    "passes.LedgerTransaction.credit_note": "a credit note to a funder (an organisation), not a note about anyone",
}
