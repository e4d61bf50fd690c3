"""Writing to the append-only audit journal: the one way every app records a sensitive act."""

from maillage.accounts.models import AuditEvent

Action = AuditEvent.Action


def record(action, *, actor=None, organization=None, target=None, target_label="", **details):
    """Append one journal line. ``target`` is any model instance the act was about."""
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_label = target_label or str(target)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=getattr(actor, "email", "") or "",
        organization=organization,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:254],
        details=details,
    )
