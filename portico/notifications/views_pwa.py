"""The installable app: its manifest and the service worker that shows push notifications.
Both live at the site root: a service worker only controls pages under its own path."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "portico" / "sw.js"


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": "Portico",
        "short_name": "Portico",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#1f5fae",
        "icons": [
            {"src": static(f"portico/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"  # browsers check for a new worker on every visit
    return response
