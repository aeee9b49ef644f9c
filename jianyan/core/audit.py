from typing import Any

from jianyan.core.models import AuditEvent


def record(
    *,
    actor,
    action: str,
    proposal=None,
    committee=None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event; call it inside the transaction that made the change."""
    if committee is None and proposal is not None:
        committee = proposal.committee
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        proposal=proposal,
        committee=committee,
        from_state=from_state,
        to_state=to_state,
        note=note or "",
        data=data or {},
    )


def purge_events(events) -> int:
    """Delete audit events through the one controlled path: the archive command (after exporting them) and
    the demo reset. On PostgreSQL the append-only trigger lets a DELETE through only in a transaction that
    has set `jianyan.audit_purge` (SET LOCAL: it ends with the transaction). Returns the number deleted."""
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jianyan.audit_purge = 'on'")
        deleted, _ = events.delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jianyan.audit_purge = 'off'")
    return deleted
