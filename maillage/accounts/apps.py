from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_journal_guard(sender, using, **kwargs):
    """Keep the journal's triggers in place after every migrate or flush (idempotent)."""
    from django.db import connections

    from maillage.accounts import journal_guard

    journal_guard.install(connections[using])


class AccountsConfig(AppConfig):
    name = "maillage.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self):
        from maillage.accounts import signals  # noqa: F401  (connects the journal to login events)

        post_migrate.connect(_install_journal_guard, sender=self)
