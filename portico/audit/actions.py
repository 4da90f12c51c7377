from __future__ import annotations

from typing import Any, TypedDict, Unpack

from django.db import models
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, JSONObject, Substr

from portico.audit.decorators import audit_written
from portico.audit.models import AuditEvent
from portico.core.actors import Actor
from portico.core.sql import insert_select

# Keys whose values never reach the audit log (pretix's log_action does the same).
_MASKED = ("password", "secret", "token", "code")


def _mask(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: ("***" if any(m in key.lower() for m in _MASKED) else value) for key, value in detail.items()}


def target_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


class AuditFields(TypedDict, total=False):
    """What an audit row may say beyond who did what: the record it concerns, the state moved."""

    target: models.Model | None
    target_label: str
    from_state: str
    to_state: str
    detail: dict[str, Any] | None


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
    """One audit row, not yet saved: what ``audit_record`` writes. ``org``: the organization, its
    id (so a caller holding only ``obj.org_id`` loads nothing) or None for events of no organization."""
    return AuditEvent(
        org_id=org if org is None or isinstance(org, int) else org.pk,
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


def audit_record(*, org: Any, actor: Actor, action: str, **fields: Unpack[AuditFields]) -> AuditEvent:
    """Write one audit row (``audit_event_new``'s fields). Call it inside the action's transaction,
    beside the change."""
    event = audit_event_new(org=org, actor=actor, action=action, **fields)
    event.save()
    audit_written()
    return event


def audit_record_select(
    *,
    org: Any,
    actor: Actor,
    action: str,
    targets: QuerySet[Any],
    target_label: Any,
    target_type: str = "",
    target_id: Any = None,
    from_state: Any = "",
    to_state: str = "",
    detail: dict[str, Any] | None = None,
) -> int:
    """``audit_record`` for many targets at once (bulk actions): one row per row of ``targets``,
    written by one INSERT … SELECT, with the fields ``audit_record`` writes. The target is the
    row itself, or (``target_type`` + ``target_id``) a record it names; ``target_label``,
    ``from_state`` and ``detail`` values may be expressions over ``targets``. Returns the number of rows."""
    meta = targets.model._meta
    sample = audit_event_new(org=org, actor=actor, action=action, to_state=to_state)
    constants = ("org_id", "actor_kind", "actor_user", "actor_label", "action", "to_state", "ip")
    detail_values = {k: v if hasattr(v, "resolve_expression") else Value(v) for k, v in _mask(detail or {}).items()}
    written = insert_select(
        AuditEvent,
        targets,
        {
            **{name: getattr(sample, name) for name in constants},
            # A constant, or an expression over ``targets`` (the state each row leaves).
            "from_state": from_state if hasattr(from_state, "resolve_expression") else str(from_state),
            "target_type": target_type or f"{meta.app_label}.{meta.model_name}",
            "target_id": Cast(target_id if target_id is not None else F("pk"), CharField()),
            "target_label": Substr(target_label, 1, 200),
            "detail": JSONObject(**detail_values) if detail_values else {},
            "user_agent": sample.user_agent,
            "created_at": sample.created_at,
        },
    )
    audit_written(written)
    return written
