"""The bell and the notifications list of the signed-in staff member, in one organization."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portico.notifications import selectors
from portico.notifications.actions import notifications_mark_read
from portico.orgs.context import org_view


@org_view()
def notification_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    page = selectors.notification_list(org=org, user=request.user, cursor=request.GET.get("cursor", ""))  # type: ignore[arg-type]
    unread = selectors.unread_count(org=org, user=request.user)  # type: ignore[arg-type]
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@org_view()
def notification_bell(request: HttpRequest) -> HttpResponse:
    """The htmx partial the navigation polls: the bell with the unread count."""
    unread = selectors.unread_count(org=request.org, user=request.user)  # type: ignore[attr-defined, arg-type]
    return render(request, "notifications/_bell.html", {"unread": unread, "bell_trigger": "every 30s"})


@org_view()
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification: it is read from now on."""
    org = request.org  # type: ignore[attr-defined]
    notification = selectors.notification_get(org=org, user=request.user, notification_id=notification_id)  # type: ignore[arg-type]
    notifications_mark_read(org=org, user=request.user, ids=[notification.pk])  # type: ignore[arg-type]
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notification_list", org_slug=org.slug)


@org_view()
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them read."""
    org = request.org  # type: ignore[attr-defined]
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    notifications_mark_read(org=org, user=request.user, ids=ids)  # type: ignore[arg-type]
    return redirect("notification_list", org_slug=org.slug)
