from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_ledger_guard(sender, using, **kwargs):
    """Keep the ledger's triggers in place after every migrate or flush (idempotent)."""
    from django.db import connections

    from maillage.passes import ledger_guard

    ledger_guard.install(connections[using])


class PassesConfig(AppConfig):
    name = "maillage.passes"
    label = "passes"
    verbose_name = _("Pass numérique")

    def ready(self):
        post_migrate.connect(_install_ledger_guard, sender=self)
