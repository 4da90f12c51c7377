"""allauth reports security changes through its documented signals (it has no adapter hook
for them); each receiver only records the audit row through an action."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals

from portico.accounts.actions import user_security_event
from portico.audit.models import AuditAction
from portico.core.actors import Actor, ActorKind


def _record(request: Any, user: Any, action: str, detail: dict[str, Any] | None = None) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    actor = Actor.from_request(request) if request is not None else Actor.system()
    if actor.user is None:  # e.g. a password reset, done before signing in
        actor = Actor(kind=ActorKind.STAFF, user=user, ip=actor.ip, user_agent=actor.user_agent)
    user_security_event(user=user, actor=actor, action=action, detail=detail)


def on_password_changed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(request, user, AuditAction.USER_PASSWORD_CHANGED)


def on_password_reset(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(request, user, AuditAction.USER_PASSWORD_RESET)


def on_authenticator_added(
    sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **kwargs: Any
) -> None:
    _record(request, user, AuditAction.USER_MFA_ADDED, {"type": getattr(authenticator, "type", "")})


def on_authenticator_removed(
    sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **kwargs: Any
) -> None:
    _record(request, user, AuditAction.USER_MFA_REMOVED, {"type": getattr(authenticator, "type", "")})


def on_authenticator_reset(
    sender: Any, request: Any = None, user: Any = None, authenticator: Any = None, **kwargs: Any
) -> None:
    _record(request, user, AuditAction.USER_RECOVERY_CODES_RESET)


def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(request, user, AuditAction.USER_SIGNED_OUT)


def connect() -> None:
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="portico_password_changed")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="portico_password_reset")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="portico_mfa_added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="portico_mfa_removed")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="portico_mfa_reset")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="portico_logged_out")
