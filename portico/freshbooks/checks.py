"""System checks for the FreshBooks settings: half a FreshBooks app is an error (connecting would
fail at FreshBooks' sign-in page rather than here)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error


def check_freshbooks_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    client_id, secret = settings.FRESHBOOKS_CLIENT_ID, settings.FRESHBOOKS_CLIENT_SECRET
    errors: list[CheckMessage] = []
    if bool(client_id) != bool(secret):
        missing = "FRESHBOOKS_CLIENT_SECRET" if client_id else "FRESHBOOKS_CLIENT_ID"
        errors.append(
            Error(
                f"FreshBooks is half configured: {missing} is empty.",
                hint="Set both FRESHBOOKS_CLIENT_ID and FRESHBOOKS_CLIENT_SECRET (the FreshBooks app's "
                "client id and secret; the secret may be given as a file in FRESHBOOKS_CLIENT_SECRET_FILE), "
                "or neither to turn FreshBooks off.",
                id="portico.E040",
            )
        )
    redirect_uri = settings.FRESHBOOKS_REDIRECT_URI
    if redirect_uri and not redirect_uri.startswith(("http://", "https://")):
        errors.append(
            Error(
                f"FRESHBOOKS_REDIRECT_URI={redirect_uri!r} is not an absolute http(s) address.",
                hint="Leave it empty for SITE_URL + /freshbooks/callback/, or give the address registered "
                "in the FreshBooks app, e.g. https://portico.example.org/freshbooks/callback/",
                id="portico.E041",
            )
        )
    return errors
