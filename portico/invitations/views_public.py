"""The invitation link: welcome page (GET changes nothing), account creation (POST consumes)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from portico.invitations import actions


def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


@require_POST
def invitation_opened(request: HttpRequest, token: str) -> HttpResponse:
    actions.invitation_mark_opened(raw_token=token)
    return HttpResponse(status=204)


@require_POST
def invitation_new_link(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
