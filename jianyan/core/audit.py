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
