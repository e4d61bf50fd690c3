from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpRequestsConfig(AppConfig):
    name = "maillage.helprequests"
    label = "helprequests"
    verbose_name = _("Help requests")
