from __future__ import annotations

from typing import Any

from django.db import models

from portico.audit.models import AuditEvent
from portico.core.actors import Actor

# Keys whose values never reach the audit log (pretix's log_action does the same).
_MASKED = ("password", "secret", "token", "code")


def _mask(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: ("***" if any(m in key.lower() for m in _MASKED) else value) for key, value in detail.items()}


def target_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def audit_event_new(
    *,
    org: Any,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    target_label: str = "",
    from_state: str = "",
    to_state: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit row, not yet saved: what ``audit_record`` writes, for ``audit_record_many``."""
    return AuditEvent(
        org=org,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_label=actor.label[:200],
        action=action,
        target_type=target_type_of(target) if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:200],
        from_state=str(from_state),
        to_state=str(to_state),
        detail=_mask(detail or {}),
        ip=actor.ip,
        user_agent=actor.user_agent[:300],
    )


def audit_record(
    *,
    org: Any,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    target_label: str = "",
    from_state: str = "",
    to_state: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the action's transaction, beside the change."""
    event = audit_event_new(
        org=org,
        actor=actor,
        action=action,
        target=target,
        target_label=target_label,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
    )
    event.save()
    return event


def audit_record_many(events: list[AuditEvent]) -> None:
    """Write many rows made by ``audit_event_new`` in one INSERT (bulk actions)."""
    AuditEvent.objects.bulk_create(events, batch_size=2000)
