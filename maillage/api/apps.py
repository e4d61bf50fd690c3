from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public JSON API (django-ninja) under /api/v1/: it reads the other apps, owns no data."""

    name = "maillage.api"
    label = "api"
    verbose_name = "API"
