from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.core.errors import PorticoError


def user_sessions_end(user: User) -> int:
    """End every open session of ``user`` at once (deactivated staff, banned clients)."""
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user))
    get_adapter().end_sessions(sessions)
    return len(sessions)


def user_security_event(*, user: User, actor: Actor, action: str, detail: dict[str, Any] | None = None) -> None:
    """Record a sign-in security change made through allauth (password, two-factor, sign-out)."""
    audit_record(org=None, actor=actor, action=action, target=user, detail=detail)


@transaction.atomic
def user_profile_update(
    *,
    user: User,
    actor: Actor,
    full_name: str,
    language: str,
    phone: str | None = None,
    notify_by: str | None = None,
) -> User:
    changes = {}
    values = {"full_name": full_name.strip(), "language": language}
    if phone is not None:
        values["phone"] = phone
    if notify_by is not None:
        if notify_by not in ("email", "sms"):
            raise PorticoError(_("Choose email or SMS."), code="bad_notify_by")
        values["notify_by"] = notify_by
    for field, value in values.items():
        if getattr(user, field) != value:
            changes[field] = {"from": getattr(user, field), "to": value}
            setattr(user, field, value)
    if changes:
        user.save(update_fields=list(changes))
        audit_record(org=None, actor=actor, action=AuditAction.USER_PROFILE_CHANGED, target=user, detail=changes)
    return user
