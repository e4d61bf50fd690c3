from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "maillage.places"
    label = "places"
    verbose_name = _("Help places")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from maillage.places import search_index
        from maillage.places.models import Place

        def place_changed(**_kwargs):
            search_index.directory_changed()

        post_save.connect(place_changed, sender=Place, dispatch_uid="places-search-index-save", weak=False)
        post_delete.connect(place_changed, sender=Place, dispatch_uid="places-search-index-delete", weak=False)
