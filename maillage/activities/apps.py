from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "maillage.activities"
    label = "activities"
    verbose_name = _("Mediators' activity")

    def ready(self):
        from maillage.places import sections

        sections.register(_workshops_of_place)


def _workshops_of_place(place):
    """A place's page shows its coming workshop sessions, each with a link to register."""
    from maillage.activities.models import WorkshopSession
    from maillage.places.sections import Section

    coming = list(
        WorkshopSession.objects.upcoming()
        .with_counts()
        .filter(workshop__place=place)
        .select_related("workshop")
        .order_by("starts_at")[:10]
    )
    return Section("activities/_place_workshops.html", {"sessions": coming}) if coming else None
