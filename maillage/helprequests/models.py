"""A person's request for help, from the first words to the outcome, whoever started it.

The state machine (which move is allowed from which state) lives in ``states.py``; the only way
to change a request's status is a function of ``services.py``, which logs the move as a
``Transition`` in the same transaction.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.access import acts_as
from maillage.accounts.models import Ability, Organization
from maillage.helprequests.vocabulary import LANGUAGES
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS, label

# Crockford's base32 without the letters people confuse (I, L, O, U): easy to read on the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference():
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class Status(models.TextChoices):
    NEW = "new", _("waiting for a place")
    REFERRED = "referred", _("sent to a place, waiting for its answer")
    DECLINED = "declined", _("declined by the place")
    ESCALATED = "escalated", _("with the territory's coordination")
    CLAIMED = "claimed", _("taken on by a place")
    APPOINTMENT = "appointment", _("appointment booked")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("no longer needed")
    EXPIRED = "expired", _("expired without an answer")


class Origin(models.TextChoices):
    PERSON = "person", _("the person, online")
    RELATIVE = "relative", _("a relative or neighbour, online")
    DESK = "desk", _("at a desk, for the person")
    PHONE_LINE = "phone_line", _("the territory's phone line")
    REFERRAL = "referral", _("a professional's referral")


class ContactPreference(models.TextChoices):
    CALL = "call", _("Call me back")
    SMS = "sms", _("Send me a text message (SMS)")
    EMAIL = "email", _("Write to me by e-mail")


class ConsentChannel(models.TextChoices):
    ONLINE = "online", _("online, by ticking the box")
    ORAL_DESK = "oral_desk", _("orally, at a desk")
    ORAL_PHONE = "oral_phone", _("orally, on the phone")


class Outcome(models.TextChoices):
    HELPED = "helped", _("helped")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("referred elsewhere")
    NO_LONGER_NEEDED = "no_longer_needed", _("no longer needed")
    UNREACHABLE = "unreachable", _("unreachable after 3 attempts")


# The sets of statuses the pages, the state machine (states.py) and the QuerySets speak of.
WAITING_FOR_A_PLACE = frozenset({Status.NEW, Status.ESCALATED})  # with nobody: the phone line's queue
WAITING = frozenset({Status.NEW, Status.REFERRED, Status.DECLINED, Status.ESCALATED})
WITH_A_PLACE = frozenset({Status.CLAIMED, Status.APPOINTMENT})
ENDED = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.EXPIRED})


def _on_the_phone_line(user):
    """The requests the territory's coordination handles: those waiting for a place (it runs the phone line)."""
    if acts_as(user, Organization.Kind.COORDINATOR, Ability.ACT):
        return models.Q(status__in=WAITING_FOR_A_PLACE)
    return models.Q(pk__in=[])


class HelpRequestQuerySet(models.QuerySet):
    def handled_by(self, user):
        """The requests a user may see in full: those of their organisations' places, those their
        organisations referred, and, for a territory's coordination, those still waiting for a place.
        Viewers see none: personal data never leaves the people who help."""
        if not user.is_authenticated:
            return self.none()
        organizations = Organization.objects.acted_in_by(user, Ability.ACT)
        visible = models.Q(place__organization__in=organizations) | models.Q(referrer_organization__in=organizations)
        return self.filter(visible | _on_the_phone_line(user))

    def at_places_of(self, user):
        """The requests sent to or taken by a place where the user acts: they answer and follow them."""
        return self.filter(place__in=Place.objects.acted_at_by(user))

    def on_the_phone_line_of(self, user):
        return self.filter(_on_the_phone_line(user))

    def sent_by(self, user):
        """The requests the user may send to a place: their organisations' referrals, and for the
        coordination, those waiting for a place."""
        organizations = Organization.objects.acted_in_by(user, Ability.ACT)
        return self.filter(models.Q(referrer_organization__in=organizations) | _on_the_phone_line(user))


class HelpRequest(models.Model):
    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    # The form's one-time key: a form sent twice (double click, reload) creates one request.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    origin = models.CharField(max_length=20, choices=Origin.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    # What for, where, how.
    need = models.CharField(_("need"), max_length=30)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, null=True, related_name="+")
    contact_preference = models.CharField(_("how to be contacted"), max_length=10, choices=ContactPreference.choices)
    preferred_moments = models.JSONField(_("preferred moments"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=40, blank=True)
    specific_support = models.JSONField(_("specific support"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    # The person, and the one who asks for them when it is someone else.
    first_name = models.CharField(_("first name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text="E.164")
    email = models.EmailField(_("e-mail address"), blank=True)
    asked_by_someone_else = models.BooleanField(default=False)
    asker_name = models.CharField(_("name of the person asking"), max_length=120, blank=True)
    asker_phone = models.CharField(_("phone of the person asking"), max_length=20, blank=True)
    asker_email = models.EmailField(_("e-mail of the person asking"), blank=True)

    consent_given_at = models.DateTimeField()
    consent_channel = models.CharField(max_length=20, choices=ConsentChannel.choices)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Who has it.
    place = models.ForeignKey(
        "places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="help_requests"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    referrer_organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="referred_requests"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointment_at = models.DateTimeField(null=True, blank=True)
    # Where: one of the places of the organisation that helps, or at a distance (a call at that time).
    appointment_place = models.ForeignKey(
        "places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointment_remote = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # When the person showed the number is theirs (opened the follow link, or a member talked with
    # them): until then, a number gets at most one text a day (helprequests.notify.may_text).
    person_shown_real_at = models.DateTimeField(null=True, blank=True)

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.reference

    @property
    def need_label(self):
        return label(NEEDS, self.need)

    @property
    def language_label(self):
        return LANGUAGES.get(self.language, self.language) if self.language else ""

    @property
    def is_open(self):
        return self.status not in ENDED

    @property
    def is_declined(self):
        return self.status == Status.DECLINED

    @property
    def is_escalated(self):
        return self.status == Status.ESCALATED

    @property
    def is_taken(self):
        """A place has it and will contact the person (no appointment yet)."""
        return self.status == Status.CLAIMED

    @property
    def has_appointment(self):
        return self.status == Status.APPOINTMENT and self.appointment_at is not None

    @property
    def has_upcoming_appointment(self):
        return self.has_appointment and self.appointment_at > timezone.now()


class Transition(models.Model):
    """One move of a request's status: who, when, from, to, why. Never changed afterwards."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    by_the_person = models.BooleanField(default=False)
    reason = models.CharField(max_length=40, blank=True)
    # The place the move was about (the one that declined, the one a request was sent to…).
    place = models.ForeignKey("places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Staff's words about the move: shown to staff, never on the person's page.
    staff_note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request} {self.action}: {self.from_status or '-'} → {self.to_status}"


class ContactAttempt(models.Model):
    class Kind(models.TextChoices):
        CALLED = "called", _("called, we talked")
        NO_ANSWER = "no_answer", _("called, no answer")
        MESSAGE_LEFT = "message_left", _("called, message left")
        SMS_SENT = "sms_sent", _("text message sent")
        EMAIL_SENT = "email_sent", _("e-mail sent")

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="contact_attempts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request} {self.kind}"


class PersonMessage(models.Model):
    """A message the person adds from their follow-up link."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="person_messages")
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request} message"
