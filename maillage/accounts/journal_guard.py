"""The audit journal is append-only for every client, not only Django (see maillage/append_only.py)."""

from maillage.append_only import AppendOnlyGuard

TABLE = "accounts_auditevent"
MESSAGE = "the audit journal is append-only"
_guard = AppendOnlyGuard(TABLE, MESSAGE)
install = _guard.install
remove = _guard.remove
