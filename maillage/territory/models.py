"""The communes reference: every French commune (and Paris/Lyon/Marseille arrondissements)."""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.parsing import is_ascii_digits
from maillage.territory import departments
from maillage.territory.text import fold

# "Angers (49000)" is what a suggestion puts in the box; it must resolve to one commune.
LABEL_WITH_POSTCODE = re.compile(r"^(?P<name>.+?)\s*\((?P<postcode>\d{5})\)\s*$")


class CommuneQuerySet(models.QuerySet):
    def search(self, query, limit=20):
        """Communes matching a name prefix or a postcode prefix: the suggestions while typing.

        The territory's communes first; then a commune named exactly as typed, however small
        ("Port" must not be lost among 46 bigger "Port-…"); then the most populated.

        Accents, case, hyphens and apostrophes do not matter: "st etienne" finds nothing but
        "saint etienne" and "Saint-Étienne" both find Saint-Étienne. What a typed text *means* is
        read by territory.reading, which also knows typos.
        """
        query = (query or "").strip()
        if not query:
            return self.none()
        labelled = LABEL_WITH_POSTCODE.match(query)
        if labelled:
            return (
                self.filter(search_name=fold(labelled["name"]), postcodes__code=labelled["postcode"])
                .distinct()
                .order_by("-population", "insee_code")[:limit]
            )
        compact = query.replace(" ", "")
        if is_ascii_digits(compact):
            if len(compact) < 2:
                return self.none()
            matches, exactly_named = self.filter(postcodes__code__startswith=compact[:5]).distinct(), models.Value(1)
        else:
            key = fold(query)
            if not key:
                return self.none()
            matches = self.filter(search_name__startswith=key)
            exactly_named = models.Case(models.When(search_name=key, then=0), default=1)
        return matches.order_by(_outside_territory(), exactly_named, "-population", "insee_code")[:limit]

    def in_department(self, department_code):
        return self.filter(department_code=department_code)

    def in_territory(self):
        return self.filter(territory_condition())


def _outside_territory():
    """0 for the territory's communes, 1 for the others: an ordering."""
    condition = territory_condition()
    return models.Case(models.When(condition, then=0), default=1) if condition else models.Value(0)


def territory_condition():
    """The communes the platform serves (settings.TERRITORY_DEPARTMENTS and TERRITORY_COMMUNES)."""
    if not settings.TERRITORY_DEPARTMENTS and not settings.TERRITORY_COMMUNES:
        return models.Q()
    return models.Q(department_code__in=settings.TERRITORY_DEPARTMENTS) | models.Q(
        insee_code__in=settings.TERRITORY_COMMUNES
    )


class Commune(models.Model):
    insee_code = models.CharField(_("INSEE code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    department_code = models.CharField(_("département"), max_length=3, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    fragility_index = models.DecimalField(
        _("digital fragility index"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("From 1 (little fragility) to 10 (strong fragility)."),
    )

    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arrondissements",
        help_text="For an arrondissement of Paris, Lyon or Marseille: the city.",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee_code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def main_postcode(self):
        postcodes = sorted(postcode.code for postcode in self.postcodes.all())
        return postcodes[0] if postcodes else ""

    @property
    def label(self):
        """'Angers (49000)': the name people recognise, with a postcode to tell namesakes apart."""
        return f"{self.name} ({self.main_postcode})" if self.main_postcode else self.name

    @property
    def in_territory(self):
        if not settings.TERRITORY_DEPARTMENTS and not settings.TERRITORY_COMMUNES:
            return True
        return self.department_code in settings.TERRITORY_DEPARTMENTS or self.insee_code in settings.TERRITORY_COMMUNES

    @property
    def department_name(self):
        return departments.name_of(self.department_code)

    @staticmethod
    def department_of(insee_code):
        if insee_code.startswith("97") or insee_code.startswith("98"):
            return insee_code[:3]
        return insee_code[:2]


class PostalCode(models.Model):
    """A postcode serves several communes and a commune has several postcodes (La Poste base)."""

    code = models.CharField(max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        ordering = ["code", "commune"]
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="postcode_commune_unique")]

    def __str__(self):
        return f"{self.code} {self.commune_id}"
