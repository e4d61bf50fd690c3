"""Small helpers shared by the accounts tests."""

from django_otp.oath import TOTP

from maillage.accounts.models import AuditEvent


def current_code(device):
    """The code an authenticator app shows right now for this TOTP device."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"


def journal_actions(**filters):
    """The journal's actions, oldest first."""
    return list(AuditEvent.objects.filter(**filters).order_by("created_at", "pk").values_list("action", flat=True))
