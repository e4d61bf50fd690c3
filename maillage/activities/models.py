"""The mediator's activity record (compte rendu d'activité, CRA): what was done, for how long, on
which themes, with what outcome — anonymous unless a beneficiary record is chosen (a later step).

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

from maillage.accounts.models import Membership


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


class AccompanimentQuerySet(models.QuerySet):
    def current(self):
        """The versions that count: not replaced by a correction."""
        return self.filter(replaced_at__isnull=True)

    def visible_to(self, user):
        """One's own records; an organisation's administrators see all of its records."""
        if not user.is_authenticated:
            return self.none()
        administered = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organization")
        return self.filter(Q(author=user) | Q(organization__in=administered))


class Accompaniment(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="accompaniments")
    author = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="accompaniments")
    kind = models.CharField(_("What kind?"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    day = models.DateField(_("Day"))
    duration_minutes = models.PositiveSmallIntegerField(_("Duration, in minutes"))
    setting = models.CharField(_("Where?"), max_length=10, choices=Setting.choices, default=Setting.PLACE)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")  # fmt: skip
    themes = models.JSONField(_("Themes"), default=list)
    administrative_subthemes = models.JSONField(default=list, blank=True)
    autonomy = models.CharField(_("Autonomy reached"), max_length=10, choices=Autonomy.choices)
    outcome = models.CharField(_("Outcome"), max_length=10, choices=Outcome.choices, default=Outcome.DONE)
    referred_to = models.CharField(_("Referred to"), max_length=200, blank=True)
    participants = models.PositiveSmallIntegerField(_("Number of people"), default=1)
    note = models.TextField(_("Note"), blank=True, max_length=1000)
    help_request = models.ForeignKey("helprequests.HelpRequest", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="accompaniments")  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Versions: a late correction is a new record that replaces this one; this one stays, marked.
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by")  # fmt: skip
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
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.day:%Y-%m-%d} ({self.duration_minutes} min)"

    @property
    def editable_until(self):
        return self.created_at + datetime.timedelta(hours=settings.ACTIVITY_EDIT_HOURS)

    def is_editable_in_place(self, user, now=None):
        """Its author changes or deletes it in place for ACTIVITY_EDIT_HOURS; then corrections are new versions."""
        return self.author_id == user.pk and (now or timezone.now()) <= self.editable_until
