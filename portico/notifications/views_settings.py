"""A staff member's own notification settings: channels per event kind, this device's phone
notifications (Web Push) and a test notification. Any active staff member; no permission needed."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications import selectors
from portico.notifications.actions import (
    PREFERENCE_KINDS,
    notification_preferences_save,
    notify_test,
    preferences_for,
    push_subscription_save,
)
from portico.notifications.models import NotifyChannel
from portico.notifications.push import application_server_key_or_blank
from portico.orgs.context import org_view


@org_view()
def notification_settings(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    has_phone = bool(user.phone)  # type: ignore[union-attr]
    if request.method == "POST":
        prefs = {
            kind.value: [
                c for c in request.POST.getlist(f"channels_{kind.value}") if has_phone or c != NotifyChannel.SMS
            ]
            for kind in PREFERENCE_KINDS
        }
        try:
            notification_preferences_save(org=org, user=user, actor=Actor.from_request(request), prefs=prefs)  # type: ignore[arg-type]
        except PorticoError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Notification settings saved."))
        return redirect("notification_settings", org_slug=org.slug)
    saved = preferences_for(org=org, user=user)  # type: ignore[arg-type]
    rows = [{"kind": kind.value, "label": kind.label, "channels": saved[kind.value]} for kind in PREFERENCE_KINDS]
    context: dict[str, Any] = {
        "org": org,
        "rows": rows,
        "channels": [{"value": c.value, "label": c.label} for c in NotifyChannel],
        "has_phone": has_phone,
        "push_key": application_server_key_or_blank(),
        "device_count": selectors.push_device_count(user=user),  # type: ignore[arg-type]
    }
    return render(request, "notifications/settings.html", context)


@org_view()
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponseBase:
    """Store this browser's push subscription for the signed-in staff member. The page's script
    posts the subscription's JSON ({endpoint, keys: {p256dh, auth}}); a malformed one is refused
    (400 for the script, a message and the settings page for a plain form post)."""
    org = request.org  # type: ignore[attr-defined]
    wants_json = request.content_type == "application/json"
    try:
        data = json.loads(request.body or b"{}") if wants_json else {}
        endpoint = str(data.get("endpoint") or "")
        keys = data.get("keys") or {}
        p256dh, auth = str(keys.get("p256dh") or ""), str(keys.get("auth") or "")
    except (ValueError, AttributeError):
        endpoint = p256dh = auth = ""
    if not endpoint.startswith("https://") or len(endpoint) > 1000 or not p256dh or not auth:
        if wants_json:
            return JsonResponse({"error": _("This is not a push subscription.")}, status=400)
        messages.error(request, _("Phone notifications could not be turned on here."))
        return redirect("notification_settings", org_slug=org.slug)
    try:
        push_subscription_save(
            user=request.user,  # type: ignore[arg-type]
            endpoint=endpoint,
            p256dh=p256dh[:200],
            auth=auth[:100],
            user_agent=request.headers.get("User-Agent", ""),
        )
    except PorticoError as exc:
        if wants_json:
            return JsonResponse({"error": str(exc.message)}, status=403)
        raise
    if wants_json:
        return JsonResponse({"ok": True}, status=201)
    return redirect("notification_settings", org_slug=org.slug)


@org_view()
@require_POST
def notification_test(request: HttpRequest) -> HttpResponseBase:
    org = request.org  # type: ignore[attr-defined]
    notify_test(org=org, user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Sent: check your phone and email."))
    return redirect("notification_settings", org_slug=org.slug)
