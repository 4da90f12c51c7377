from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from portico.core.errors import PermissionMissing, PorticoError

REFUSAL_HEADER = "X-Portico-Refusal"


class PorticoErrorMiddleware:
    """Turn a refused action into what the user sees: a 403 page that names the missing
    permission, or the previous page with the refusal as a message (nothing was changed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, PermissionMissing):
            return render(
                request, "403.html", {"permission": exc.permission, "permission_label": exc.label}, status=403
            )
        if not isinstance(exc, PorticoError):
            return None
        if getattr(request, "htmx", False):
            response = render(request, "core/_refusal.html", {"message": exc.message}, status=exc.status_code)
            response[REFUSAL_HEADER] = exc.code
            return response
        messages.error(request, str(exc.message))
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            # No usable referrer: a GET shows itself again; a POST to ".../<verb>/" goes to its record.
            back = request.path if request.method == "GET" else request.path.rstrip("/").rsplit("/", 1)[0] + "/"
        response = redirect(back)
        response[REFUSAL_HEADER] = exc.code  # what was refused, for scripts and tests (the page shows why)
        return response
