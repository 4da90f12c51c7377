"""Changes to logins: creating one, the person's own profile, security events from allauth, and
ending every session of a person at once."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.adapter import get_adapter as usersessions_adapter
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portico.accounts.forms import password_validate
from portico.accounts.models import NotifyBy, User
from portico.accounts.signals import user_name_changed
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.core.contact import email_normalize, phone_normalize
from portico.core.errors import PorticoError


@action(
    tx="caller",
    audited=False,
    why="a consequence of the audited deactivation or ban that calls it (the count is in its detail)",
)
def user_sessions_end(*, user: User) -> int:
    """End every open session of ``user`` at once (deactivated staff, banned clients)."""
    sessions = list(UserSession.objects.filter(user=user))
    usersessions_adapter().end_sessions(sessions)
    return len(sessions)


@action
def user_security_event(*, user: User, actor: Actor, action: str, detail: dict[str, Any] | None = None) -> None:
    """Record a sign-in security change made through allauth (password, two-factor, sign-out)."""
    audit_record(org=None, actor=actor, action=action, target=user, detail=detail)


@action
def account_create(
    *,
    actor: Actor,
    email: str,
    full_name: str = "",
    password: str | None = None,
    email_verified: bool,
    operator: bool = False,
) -> User:
    """A new login, for a staff member or a client arriving by invitation. ``password`` None: the
    person signs in by emailed code until they set one. ``email_verified``: the invitation link
    proved the address (an SMS invitation does not). An address that has an account already is
    refused: that person signs in first. ``operator``: a support operator of the installation (the
    demo's; ``manage.py createsuperuser`` makes them otherwise)."""
    email = email_normalize(email)
    if not email:
        raise PorticoError(_("Enter your email address: it will be your username."), code="email_required")
    if User.objects.filter(email__iexact=email).exists():
        raise PorticoError(
            _("An account for %(email)s exists. Sign in first, then open the link again.") % {"email": email},
            code="sign_in_first",
        )
    if password is not None:
        try:
            password_validate(password, email=email, full_name=full_name)
        except ValidationError as exc:
            raise PorticoError(" ".join(exc.messages), code="weak_password") from None
    try:
        with transaction.atomic():  # a savepoint: the same address created at the same moment
            user = User.objects.create_user(email, password, full_name=full_name.strip(), is_operator=operator)
    except IntegrityError:
        raise PorticoError(_("An account for this address was just created. Sign in instead.")) from None
    account_email_confirm(user=user, verified=email_verified)
    audit_record(
        org=None,
        actor=Actor(kind=actor.kind, user=user, ip=actor.ip, user_agent=actor.user_agent),
        action=AuditAction.USER_CREATED,
        target=user,
        detail={
            "email_verified": email_verified,
            "password": password is not None,
            **({"operator": True} if operator else {}),
        },
    )
    return user


@action(tx="caller", audited=False, why="part of the audited account creation or invitation acceptance that calls it")
def account_email_confirm(*, user: User, verified: bool) -> None:
    """The login's address as allauth knows it; ``verified`` marks it proven (never unproven)."""
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": verified, "primary": True}
    )
    if verified and not address.verified:
        EmailAddress.objects.filter(pk=address.pk).update(verified=True)


@action
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
        values["phone"] = phone_normalize(phone)
    if notify_by is not None:
        if notify_by not in NotifyBy.values:
            raise PorticoError(_("Choose email or SMS."), code="bad_notify_by")
        values["notify_by"] = notify_by
    if values.get("notify_by", user.notify_by) == NotifyBy.SMS and not values.get("phone", user.phone):
        raise PorticoError(
            _("Add your mobile phone to get replies by SMS."), code="invalid", extra={"field": "notify_by"}
        )
    for field, value in values.items():
        if getattr(user, field) != value:
            changes[field] = {"from": getattr(user, field), "to": value}
            setattr(user, field, value)
    if changes:
        user.save(update_fields=list(changes))
        audit_record(org=None, actor=actor, action=AuditAction.USER_PROFILE_CHANGED, target=user, detail=changes)
        if "full_name" in changes:
            user_name_changed.send(sender=User, user=user, actor=actor)
    return user
