"""FreshBooks through its official client (``freshbooks-sdk``): the installation's app (client id,
secret, redirect URI from the settings), the authorization address, the code exchange and the
refresh, the identity (which accounting account clients are created in) and creating a client.

The SDK reads its addresses from the environment when a ``freshbooks.Client`` is made
(``FRESHBOOKS_API_URL`` for the API and the token endpoint, ``FRESHBOOKS_AUTH_URL`` for the
authorization page): production leaves them unset; tests point them at a local fake FreshBooks.

Every failure (an HTTP error FreshBooks answered, a refused token, a timeout, no answer at all)
becomes ``FreshbooksUnavailable`` with FreshBooks' own message: the caller changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from freshbooks.client import Client as SdkClient
from freshbooks.errors import FreshBooksClientConfigError, FreshBooksError

from portico.core.errors import PorticoError


class FreshbooksUnavailable(PorticoError):
    """FreshBooks refused the call or could not be reached: nothing was changed in Portico."""

    status_code = 502


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Business:
    account_id: str
    name: str


def configured() -> bool:
    return bool(settings.FRESHBOOKS_CLIENT_ID and settings.FRESHBOOKS_CLIENT_SECRET)


def configured_check() -> None:
    if not configured():
        raise PorticoError(
            _(
                "FreshBooks is not set up on this server: the administrator of the installation must set "
                "FRESHBOOKS_CLIENT_ID and FRESHBOOKS_CLIENT_SECRET."
            ),
            code="not_configured",
        )


def redirect_uri() -> str:
    """Where FreshBooks sends the administrator back (registered, exactly, in the FreshBooks app)."""
    return str(settings.FRESHBOOKS_REDIRECT_URI or settings.SITE_URL.rstrip("/") + reverse("freshbooks_callback"))


def sdk_client(*, access_token: str | None = None) -> SdkClient:
    return SdkClient(
        client_id=settings.FRESHBOOKS_CLIENT_ID,
        client_secret=settings.FRESHBOOKS_CLIENT_SECRET,
        redirect_uri=redirect_uri(),
        access_token=access_token,
        timeout=settings.FRESHBOOKS_TIMEOUT,
        auto_retry=False,  # a refusal is shown at once; the person can try again
    )


def freshbooks_message(exc: Exception) -> str:
    """What FreshBooks said (or why it could not be asked), for the person who asked."""
    if isinstance(exc, FreshBooksError):
        details = [d.get("message", "") for d in exc.error_details or [] if isinstance(d, dict)]
        text = str(exc) or "; ".join(m for m in details if m) or _("no message")
        return _("FreshBooks answered %(status)s: %(message)s") % {"status": exc.status_code, "message": text}
    if isinstance(exc, requests.Timeout):
        return _("FreshBooks did not answer in time. Try again in a moment.")
    if isinstance(exc, requests.RequestException):
        return _("FreshBooks could not be reached. Try again in a moment.")
    return _("FreshBooks could not be used: %(error)s") % {"error": exc}


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except (FreshBooksError, FreshBooksClientConfigError, requests.RequestException, ValueError) as exc:
        raise FreshbooksUnavailable(freshbooks_message(exc), code="freshbooks_error") from exc


def authorization_url(state: str) -> str:
    """The SDK's authorization address, with Portico's one-time ``state``."""
    return f"{sdk_client().get_auth_request_url()}&{urlencode({'state': state})}"


def _tokens(answer: Any) -> Tokens:
    return Tokens(
        access_token=str(answer.access_token),
        refresh_token=str(answer.refresh_token),
        expires_at=answer.access_token_expires_at,
    )


def code_exchange(code: str) -> Tokens:
    return _tokens(_call(sdk_client().get_access_token, code))


def token_refresh(refresh_token: str) -> Tokens:
    """A new access token; FreshBooks also answers a NEW refresh token and the old one stops working."""
    return _tokens(_call(sdk_client().refresh_access_token, refresh_token))


def business_of(access_token: str) -> Business:
    """The business whose accounting account clients are created in: the identity's business
    membership (the one the person owns when there are several)."""
    identity = _call(sdk_client(access_token=access_token).current_user)
    memberships = [
        m for m in identity.data.get("business_memberships") or [] if (m.get("business") or {}).get("account_id")
    ]
    if not memberships:
        raise PorticoError(
            _("This FreshBooks login belongs to no business with an accounting account: sign in as its owner."),
            code="freshbooks_no_business",
        )
    chosen = next((m for m in memberships if m.get("role") == "owner"), memberships[0])
    business = chosen["business"]
    return Business(account_id=str(business["account_id"]), name=str(business.get("name") or ""))


def client_create(*, access_token: str, account_id: str, data: dict[str, Any]) -> str:
    """Create the client in FreshBooks; its id there."""
    result = _call(sdk_client(access_token=access_token).clients.create, account_id, data)
    client_id = result.data.get("id") or result.data.get("userid")
    if not client_id:
        raise FreshbooksUnavailable(_("FreshBooks answered without the new client's id."), code="freshbooks_error")
    return str(client_id)
