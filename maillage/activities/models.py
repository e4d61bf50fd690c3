"""The mediator's workspace: activity records (compte rendu d'activité, CRA), minimal beneficiary
records, workshops with their sessions and registrations.

An activity record says what was done, for how long, on which themes, with what outcome —
anonymous unless a beneficiary record is chosen.

A record is corrected in place by its author for a while (``ACTIVITY_EDIT_HOURS``); after that, a
correction is a new version that replaces the old one, which stays in the history. Statistics
count current versions only.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Ability, Organization
from maillage.passes.models import AgeBand


class Kind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual accompaniment")
    COLLECTIVE = "collective", _("Collective workshop")
    QUICK_HELP = "quick_help", _("Quick help (a few minutes)")


class Setting(models.TextChoices):
    PLACE = "place", _("At my place")
    HOME = "home", _("At the person's home")
    REMOTE = "remote", _("At a distance (phone, video)")


class Autonomy(models.TextChoices):
    DONE_FOR = "done_for", _("I did it for the person")
    WITH_HELP = "with_help", _("The person did it with my help")
    ALONE = "alone", _("The person did it alone, I only watched")


class Outcome(models.TextChoices):
    DONE = "done", _("Done: nothing more to do")
    FOLLOW_UP = "follow_up", _("To follow up: we will meet again")
    REFERRED = "referred", _("Referred to another place or service")


class ConsentWay(models.TextChoices):
    ORAL = "oral", _("Said aloud, in person or on the phone")
    SIGNED = "signed", _("Signed on paper")
    WRITTEN = "written", _("In writing (e-mail, SMS, letter)")


class ConsentPurpose(models.TextChoices):
    """Labels end the form's sentence "The person agreed that we…"; SAID_ALONE reads on its own."""

    FOLLOW_UP = "follow_up", _("Keep track of the accompaniments, to follow up")
    CONTACT = "contact", _("Be contacted about appointments and workshops")


CONSENT_PURPOSES_SAID_ALONE = {
    ConsentPurpose.FOLLOW_UP: _("Keeping track of the accompaniments, to follow them up."),
    ConsentPurpose.CONTACT: _("Being contacted about appointments and workshops."),
}


class BeneficiaryQuerySet(models.QuerySet):
    def kept(self):
        """Neither anonymised nor merged into another record."""
        return self.filter(anonymised_at__isnull=True, merged_into__isnull=True)

    def visible_to(self, user):
        """A person's record is read within their organisation only, by those who meet people."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__in=Organization.objects.acted_in_by(user, Ability.ACT))


class Beneficiary(models.Model):
    """A person an organisation accompanies, recorded only with their consent, with the least it needs."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="beneficiaries")
    first_name = models.CharField(_("First name or pseudonym"), max_length=60)
    birth_year_band = models.CharField(_("Age"), max_length=10, choices=AgeBand.choices, blank=True)
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    phone = models.CharField(_("Phone"), max_length=20, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    consent_at = models.DateTimeField(_("Consent given on"))
    consent_way = models.CharField(_("How was consent given?"), max_length=10, choices=ConsentWay.choices)
    consent_purposes = models.JSONField(_("Consent given for"), default=list)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The last accompaniment or change: the record is anonymised BENEFICIARY_RETENTION_MONTHS after.
    last_activity_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A form sent twice records once.
    submission_key = models.CharField(max_length=64, blank=True)

    objects = BeneficiaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("person accompanied")
        verbose_name_plural = _("people accompanied")
        ordering = ["first_name", "pk"]
        indexes = [models.Index(fields=["organization", "first_name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "submission_key"],
                condition=~Q(submission_key=""),
                name="beneficiary_submitted_once",
            ),
        ]

    def __str__(self):
        if self.anonymised_at:
            return _("Anonymised person no. %(number)s") % {"number": self.pk}
        return self.first_name


class AccompanimentQuerySet(models.QuerySet):
    def current(self):
        """The versions that count: not replaced by a correction."""
        return self.filter(replaced_at__isnull=True)

    def visible_to(self, user):
        """One's own records; an organisation's administrators see all of its records."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(author=user) | Q(organization__in=Organization.objects.acted_in_by(user, Ability.MANAGE)))


class Accompaniment(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="accompaniments")
    author = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="accompaniments")
    kind = models.CharField(_("What kind?"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    day = models.DateField(_("Day"))
    duration_minutes = models.PositiveSmallIntegerField(_("Duration, in minutes"))
    setting = models.CharField(_("Where?"), max_length=10, choices=Setting.choices, default=Setting.PLACE)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    themes = models.JSONField(_("Themes"), default=list)
    administrative_subthemes = models.JSONField(default=list, blank=True)
    autonomy = models.CharField(_("Autonomy reached"), max_length=10, choices=Autonomy.choices)
    outcome = models.CharField(_("Outcome"), max_length=10, choices=Outcome.choices, default=Outcome.DONE)
    referred_to = models.CharField(_("Referred to"), max_length=200, blank=True)
    participants = models.PositiveSmallIntegerField(_("Number of people"), default=1)
    note = models.TextField(_("Note"), blank=True, max_length=1000)
    help_request = models.ForeignKey(
        "helprequests.HelpRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="accompaniments"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="accompaniments"
    )
    # The person's first accompaniment in the organisation: ticked by the mediator for an anonymous
    # person, worked out from the history for a beneficiary record (and again after a merge).
    first_time = models.BooleanField(_("It was the person's first accompaniment with us"), default=False)
    redemptions = models.ManyToManyField("passes.Redemption", blank=True, related_name="accompaniments")
    # A workshop session's collective record, with the anonymous counts of who came.
    workshop_session = models.ForeignKey(
        "WorkshopSession", on_delete=models.PROTECT, null=True, blank=True, related_name="accompaniments"
    )
    counts_by_age_band = models.JSONField(default=dict, blank=True)
    counts_by_gender = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Versions: a late correction is a new record that replaces this one; this one stays, marked.
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    replaced_at = models.DateTimeField(null=True, blank=True)

    objects = AccompanimentQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        ordering = ["-day", "-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "day"]), models.Index(fields=["author", "day"])]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="accompaniment_has_a_duration"),
            models.CheckConstraint(condition=Q(participants__gt=0), name="accompaniment_has_participants"),
            models.CheckConstraint(
                condition=~Q(setting="place") | Q(place__isnull=False), name="accompaniment_at_a_place_says_which"
            ),
            # A session is recorded once; its corrections are versions of that one record.
            models.UniqueConstraint(
                fields=["workshop_session"],
                condition=Q(replaced_at__isnull=True),
                name="workshop_session_recorded_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.day:%Y-%m-%d} ({self.duration_minutes} min)"

    @property
    def editable_until(self):
        return self.created_at + datetime.timedelta(hours=settings.ACTIVITY_EDIT_HOURS)

    def is_editable_in_place(self, user, now=None):
        """Its author changes or deletes it in place for ACTIVITY_EDIT_HOURS; then corrections are new versions."""
        return self.author_id == user.pk and (now or timezone.now()) <= self.editable_until


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginners: no need to know anything")
    BASICS = "basics", _("Some basics: I can use a mouse or a phone")
    AT_EASE = "at_ease", _("At ease: I want to go further")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Women")
    MAN = "man", _("Men")
    UNSAID = "unsaid", _("Other or not said")


class WorkshopQuerySet(models.QuerySet):
    def managed_by(self, user):
        """The workshops of the organisations where the user meets people."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__in=Organization.objects.acted_in_by(user, Ability.ACT))


class Workshop(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="workshops")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="workshops")
    title = models.CharField(_("Title"), max_length=120)
    level = models.CharField(_("Level"), max_length=10, choices=Level.choices, default=Level.BEGINNER)
    themes = models.JSONField(_("Themes"), default=list)
    description = models.TextField(_("What we will do, in plain words"), max_length=2000)
    capacity = models.PositiveSmallIntegerField(_("Places"))
    duration_minutes = models.PositiveSmallIntegerField(_("Duration, in minutes"), default=120)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # A form sent twice creates one workshop.
    submission_key = models.CharField(max_length=64, blank=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="workshop_has_places"),
            models.UniqueConstraint(
                fields=["created_by", "submission_key"], condition=~Q(submission_key=""), name="workshop_submitted_once"
            ),
        ]

    def __str__(self):
        return self.title


class WorkshopSessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(starts_at__gte=now or timezone.now(), cancelled_at__isnull=True)

    def with_counts(self):
        from django.db.models import Count

        registered = Q(registrations__status=RegistrationStatus.REGISTERED)
        waiting = Q(registrations__status=RegistrationStatus.WAITING)
        return self.annotate(
            registered_count=Count("registrations", filter=registered),
            waiting_count=Count("registrations", filter=waiting),
        )


class WorkshopSession(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("Starts at"), db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attendance_taken_at = models.DateTimeField(null=True, blank=True)

    objects = WorkshopSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("workshop session")
        verbose_name_plural = _("workshop sessions")
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return f"{self.workshop} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.workshop.duration_minutes)

    @property
    def places_left(self):
        """With ``with_counts()``: how many can still register before the waiting list."""
        return max(0, self.workshop.capacity - self.registered_count)


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITING = "waiting", _("on the waiting list")
    CANCELLED = "cancelled", _("cancelled")


class Registration(models.Model):
    """One person's place in a session: registered, waiting (in order of arrival) or cancelled."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.PROTECT, related_name="registrations")
    first_name = models.CharField(_("First name"), max_length=60)
    phone = models.CharField(_("Phone"), max_length=20, blank=True)
    email = models.EmailField(_("E-mail"), blank=True)
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A form sent twice (a double tap, a retried request) registers once.
    submission_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "submission_key"],
                condition=~Q(submission_key=""),
                name="registration_submitted_once",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} ({self.get_status_display()})"

    @property
    def is_registered(self):
        return self.status == RegistrationStatus.REGISTERED

    @property
    def is_waiting(self):
        return self.status == RegistrationStatus.WAITING
