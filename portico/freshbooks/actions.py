"""Every change to FreshBooks connections: an administrator starts connecting (a one-time OAuth
state), FreshBooks sends them back (the state is used once; the code is exchanged for tokens; the
identity names the accounting account), disconnects; the tokens are refreshed before they expire
(FreshBooks rotates the refresh token: the new one is stored under a row lock, so two refreshes at
once never lose it); and a customer is created in FreshBooks once (the customer row is locked and
re-read before FreshBooks is asked, so a double click makes one FreshBooks client).

FreshBooks is asked through ``freshbooks_api`` (the official SDK); its refusals are
``FreshbooksUnavailable`` with FreshBooks' message, and nothing changes in Portico."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.core.crypto import SecretUnreadable, secret_open, secret_seal
from portico.core.errors import PorticoError
from portico.customers.models import Customer
from portico.freshbooks import freshbooks_api
from portico.freshbooks.models import FreshbooksAuthState, FreshbooksConnection
from portico.freshbooks.rules import client_data, customer_connect_check, not_connected_error, state_digest
from portico.orgs.models import Organization

STATE_TTL = dt.timedelta(minutes=15)  # time to sign in to FreshBooks and allow access
REFRESH_MARGIN = dt.timedelta(minutes=5)  # refresh a token this close to its expiry


# --- the organization's connection ---


@action(
    audited=False,
    why="a one-time OAuth state; the connection is audited (freshbooks.connected) when FreshBooks answers",
)
def freshbooks_connect_start(*, org: Organization, user: Any) -> str:
    """A new 256-bit state (only its SHA-256 is kept) and the FreshBooks authorization address
    to send the administrator to."""
    freshbooks_api.configured_check()
    now = timezone.now()
    FreshbooksAuthState.objects.filter(org=org, created_at__lt=now - STATE_TTL).delete()
    state = secrets.token_urlsafe(32)
    FreshbooksAuthState.objects.create(org=org, user=user, state_hash=state_digest(state), created_at=now)
    return freshbooks_api.authorization_url(state)


def _state_refused() -> PorticoError:
    return PorticoError(
        _("This FreshBooks sign-in link has expired or was already used. Start again from Settings → FreshBooks."),
        code="invalid_state",
    )


@action(tx="own")
def freshbooks_connect_finish(*, state: str, code: str, actor: Actor) -> FreshbooksConnection:
    """FreshBooks sent the administrator back with ``code``: the state is consumed first (a
    conditional UPDATE, committed: a replay or an expired state is refused), then the code is
    exchanged and the identity read, then the connection is stored with its tokens sealed."""
    found = FreshbooksAuthState.objects.select_related("org").filter(state_hash=state_digest(state)).first()
    if found is None:
        raise _state_refused()
    if actor.user is None or found.user_id != actor.user.pk:
        raise PorticoError(
            _("This FreshBooks sign-in was started by someone else: start it again from Settings → FreshBooks."),
            code="invalid_state",
        )
    now = timezone.now()
    consumed = FreshbooksAuthState.objects.filter(
        pk=found.pk, used_at__isnull=True, created_at__gte=now - STATE_TTL
    ).update(used_at=now)
    if not consumed:
        raise _state_refused()
    org = found.org
    tokens = freshbooks_api.code_exchange(code)
    business = freshbooks_api.business_of(tokens.access_token)
    with transaction.atomic():
        connection = FreshbooksConnection.objects.select_for_update().filter(org=org).first()
        values = {
            "account_id": business.account_id,
            "business_name": business.name,
            "access_token": secret_seal(tokens.access_token),
            "refresh_token": secret_seal(tokens.refresh_token),
            "expires_at": tokens.expires_at,
            "connected_by": actor.user,
            "connected_at": now,
            "refreshed_at": None,
        }
        if connection is None:
            connection = FreshbooksConnection.objects.create(org=org, **values)
        else:
            for name, value in values.items():
                setattr(connection, name, value)
            connection.save(update_fields=list(values))
        audit_record(
            org=org,
            actor=actor,
            action=AuditAction.FRESHBOOKS_CONNECTED,
            target=org,
            detail={"account_id": business.account_id, "business": business.name},
        )
    return connection


@action
def freshbooks_disconnect(*, org: Organization, actor: Actor) -> None:
    """Forget the tokens. Customers keep their FreshBooks id (the clients stay in FreshBooks)."""
    connection = FreshbooksConnection.objects.select_for_update().filter(org=org).first()
    if connection is None:
        raise not_connected_error()
    detail = {"account_id": connection.account_id, "business": connection.business_name}
    connection.delete()
    FreshbooksAuthState.objects.filter(org=org).delete()
    audit_record(org=org, actor=actor, action=AuditAction.FRESHBOOKS_DISCONNECTED, target=org, detail=detail)


# --- tokens ---


@dataclass(frozen=True)
class AccessToken:
    token: str
    account_id: str


def _opened(sealed: str) -> str:
    try:
        return secret_open(sealed)
    except SecretUnreadable as exc:
        raise PorticoError(
            _(
                "The stored FreshBooks authorization cannot be read (the encryption keys changed): connect FreshBooks again."
            ),
            code="freshbooks_unreadable",
        ) from exc


@action(
    tx="durable",
    audited=False,
    why="token bookkeeping: FreshBooks rotates the tokens; the connection's own history is audited",
)
def freshbooks_token_fresh(*, org: Organization) -> AccessToken:
    """A usable access token: refreshed first when it has expired or is about to. The connection row
    is locked for the refresh, and the refresh commits on its own (even if the caller's call to
    FreshBooks then fails): the old refresh token stops working the moment FreshBooks answers, so
    the new one must never be rolled back, and a second refresh waiting on the lock reads it."""
    connection = FreshbooksConnection.objects.select_for_update(no_key=True).filter(org=org).first()
    if connection is None:
        raise not_connected_error()
    if connection.expires_at > timezone.now() + REFRESH_MARGIN:
        return AccessToken(_opened(connection.access_token), connection.account_id)
    try:
        tokens = freshbooks_api.token_refresh(_opened(connection.refresh_token))
    except freshbooks_api.FreshbooksUnavailable as exc:
        raise freshbooks_api.FreshbooksUnavailable(
            _("%(message)s If FreshBooks no longer accepts the connection, an administrator must connect it again.")
            % {"message": exc.message},
            code=exc.code,
        ) from exc
    connection.access_token = secret_seal(tokens.access_token)
    connection.refresh_token = secret_seal(tokens.refresh_token)
    connection.expires_at = tokens.expires_at
    connection.refreshed_at = timezone.now()
    connection.save(update_fields=["access_token", "refresh_token", "expires_at", "refreshed_at"])
    return AccessToken(tokens.access_token, connection.account_id)


# --- customers ---


@action(tx="own")
def customer_freshbooks_connect(*, customer: Customer, actor: Actor) -> Customer:
    """Create the customer as a client in the organization's FreshBooks and keep its id. The
    customer row is locked and re-read before FreshBooks is asked, so two clicks at once make one
    FreshBooks client (the second sees the id the first stored). A refusal changes nothing."""
    customer_connect_check(customer)  # the quick refusals, before FreshBooks is asked anything
    token = freshbooks_token_fresh(org=customer.org)
    with transaction.atomic():
        locked = (
            Customer.objects.select_for_update(no_key=True, of=("self",))
            .select_related("client", "org")
            .get(pk=customer.pk)
        )
        customer_connect_check(locked)
        freshbooks_id = freshbooks_api.client_create(
            access_token=token.token, account_id=token.account_id, data=client_data(locked)
        )
        locked.freshbooks_id = freshbooks_id
        locked.freshbooks_connected_at = timezone.now()
        locked.save(update_fields=["freshbooks_id", "freshbooks_connected_at"])
        audit_record(
            org=locked.org,
            actor=actor,
            action=AuditAction.FRESHBOOKS_CUSTOMER_CONNECTED,
            target=locked.client,
            detail={"freshbooks_id": freshbooks_id, "account_id": token.account_id},
        )
    return locked
