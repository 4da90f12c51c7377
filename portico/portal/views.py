"""The client's portal pages."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from portico.portal.models import PortalSettings


def portal_home(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def portal_account(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def portal_org_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    raise NotImplementedError


def portal_logo(request: HttpRequest, org_slug: str) -> FileResponse:
    """Public: the logo is branding that appears in invitation emails and the welcome page."""
    portal = PortalSettings.objects.filter(org__slug=org_slug, org__portal_enabled=True).first()
    if portal is None or not portal.logo:
        raise Http404
    response = FileResponse(portal.logo.open("rb"))
    response["Cache-Control"] = "public, max-age=3600"
    return response
