"""Help places, one row of standard-mediation-num v1.0.1 each, with where they came from."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.access import Ability, acts_as
from maillage.accounts.models import Membership, Organization


class PlaceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Place.Status.PUBLISHED)

    def acted_at_by(self, user):
        """The places of the organisations where ``user`` acts (not as a viewer): they keep their
        listings, answer the people sent there, take passes and record activity there."""
        return self.filter(organization__in=Organization.objects.acted_in_by(user, Ability.ACT))

    def taking_requests(self):
        """Places a person can be sent to: published, and someone answers there: the members of its
        organisation, or its listed addresses (a link to answer without an account)."""
        return self.published().filter(Q(organization__isnull=False) | ~Q(emails=[]))

    def followed_by(self, user):
        """The places whose activity the user follows: those of their organisations, whatever their
        role; every place for a member of the territory's coordination. One query."""
        memberships = Membership.objects.acting(user)
        coordinates = Exists(memberships.filter(organization__is_coordinator=True))
        return self.filter(Q(organization__in=memberships.values("organization")) | coordinates)


class Place(models.Model):
    """A place where people get help with digital tools (lieu de médiation numérique)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    # Identity and address (schema: id is kept per source in PlaceSource; pivot is the SIRET/SIREN).
    name = models.CharField(_("name"), max_length=250)
    pivot = models.CharField(_("SIRET or SIREN"), max_length=14, blank=True)
    structure_parente = models.CharField(max_length=250, blank=True)
    typologie = models.JSONField(default=list, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    address_complement = models.CharField(_("address complement"), max_length=250, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5)
    commune_name = models.CharField(_("commune"), max_length=100)
    commune = models.ForeignKey(
        "territory.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="places"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    # Contact and presentation.
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text="E.164")
    emails = models.JSONField(default=list, blank=True)
    websites = models.JSONField(default=list, blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True, help_text="OSM opening_hours syntax")
    opening_hours_valid = models.BooleanField(
        default=True, help_text="False when the hours could not be read: kept as text and flagged."
    )
    summary = models.CharField(_("short presentation"), max_length=280, blank=True)
    description = models.TextField(_("presentation"), blank=True)
    accessibility_sheet_url = models.URLField(_("Acceslibre sheet"), max_length=500, blank=True)
    booking_url = models.URLField(_("online booking"), max_length=500, blank=True)

    # What people find there (schema enumerations, each a list of official values).
    services = models.JSONField(default=list, blank=True)
    publics = models.JSONField(default=list, blank=True)  # publics_specifiquement_adresses
    specific_support = models.JSONField(default=list, blank=True)  # prise_en_charge_specifique
    fees = models.JSONField(default=list, blank=True)  # frais_a_charge
    mobility = models.JSONField(default=list, blank=True)  # itinerance
    national_programmes = models.JSONField(default=list, blank=True)  # dispositif_programmes_nationaux
    labels = models.JSONField(default=list, blank=True)  # formations_labels
    other_labels = models.TextField(blank=True)  # autres_formations_labels
    access_modes = models.JSONField(default=list, blank=True)  # modalites_acces
    support_modes = models.JSONField(default=list, blank=True)  # modalites_accompagnement

    # Ours: ownership, publication, freshness.
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="places"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # Help requests from people living within this distance are offered to the place.
    request_radius_km = models.PositiveSmallIntegerField(
        _("distance served for help requests (km)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    updated_on = models.DateField(_("last update"), help_text="date_maj of the schema")
    last_verified_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("help place")
        verbose_name_plural = _("help places")
        ordering = ["name", "pk"]
        # Few indexes: searches by position run in memory (search_index.py), and every index slows
        # the import's inserts. No varchar_pattern_ops twins: nothing filters places with LIKE.
        indexes = [models.Index(fields=["status"], name="place_status")]

    def __str__(self):
        return f"{self.name} ({self.commune_name})"


class PlaceSource(models.Model):
    """One source's record of a place: the upsert key, and the provenance kept after a merge."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="sources")
    source = models.CharField(max_length=100)
    source_id = models.CharField(max_length=250)
    producer = models.CharField(max_length=250, blank=True, help_text="The schema's 'source' column")
    content_hash = models.CharField(max_length=64, help_text="Of the normalised row: unchanged rows are skipped")
    first_imported_at = models.DateTimeField(default=timezone.now)
    last_imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source", "source_id"]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="place_source_unique")]

    def __str__(self):
        return f"{self.source}:{self.source_id}"


class PlaceCorrectionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def visible_to(self, user):
        """Owners see their places' corrections; coordinators see all of them."""
        # Reports may hold the reporter's contact: viewers (no second factor) never see them.
        if acts_as(user, Organization.Kind.COORDINATOR, Ability.ACT):
            return self.all()
        return self.filter(place__in=Place.objects.acted_at_by(user))


class PlaceCorrection(models.Model):
    """Someone (no account needed) says a listing is wrong: it waits in the owner's and the coordinator's queue."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("The place is closed for good")
        HOURS = "hours", _("The opening hours are wrong")
        PHONE = "phone", _("The phone number is wrong")
        ADDRESS = "address", _("The address is wrong")
        SERVICES = "services", _("What they do there is wrong")
        OTHER = "other", _("Something else")

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("What is wrong?"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("Tell us more"), max_length=2000, blank=True)
    reporter_contact = models.CharField(_("Your phone or e-mail, if you want an answer"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = PlaceCorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.place}: {self.get_kind_display()}"
