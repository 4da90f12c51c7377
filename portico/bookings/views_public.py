"""The public booking pages, no sign-in: the widget (``/w/<org_slug>/book/``) and the booker's
cancel/reschedule link (``/w/<org_slug>/booking/<token>/``).

The widget is made to sit in an ``<iframe>`` on the organization's own website, so it allows
framing (``xframe_options_exempt``) and cannot use Django's CSRF cookie: inside a third-party frame
browsers do not send our cookies. It is ``csrf_exempt`` and protected instead, like the contact
form, by ``leads.public``: a signed form token naming the organization and when the form was
shown (unforgeable, and the minimum fill time), a honeypot field, and rate limits per IP and per
organization. A forged cross-site post gains nothing a visitor could not do by hand: it books a
slot as an anonymous visitor would. A bot's post gets the normal answer and creates nothing.

The cancel/reschedule page is opened from the confirmation, first-party, so it keeps Django's
CSRF protection; its link is the credential (256-bit token, digest stored). GET never changes
anything (mail scanners prefetch links)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from portico.accounts.models import User
from portico.bookings import actions, selectors
from portico.bookings.forms import BookingForm, instant_parse
from portico.bookings.models import Booking, BookingSettings, BookingState
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_get, time_zone_names
from portico.leads.actions import UTM_KEYS
from portico.leads.public import Verdict, guard_context, public_form_handle
from portico.leads.selectors import public_org_get
from portico.orgs.models import Organization
from portico.portal.selectors import portal_settings_get

DAYS_SHOWN = 7


def _visitor_zone(request: HttpRequest, org: Organization) -> tuple[zoneinfo.ZoneInfo, str]:
    """The visitor's zone (``tz``, detected by the page's script), else the organization's."""
    name = request.POST.get("tz") or request.GET.get("tz") or ""
    if name not in time_zone_names():
        name = ""
    zone = time_zone_get(name, org.time_zone)
    return zone, name


def _first_day(request: HttpRequest, zone: zoneinfo.ZoneInfo) -> dt.date:
    today = timezone.now().astimezone(zone).date()
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today
    return max(day, today)


def _picker(
    *,
    request: HttpRequest,
    org: Organization,
    settings: BookingSettings,
    zone: zoneinfo.ZoneInfo,
    staff: list[User],
) -> dict[str, Any]:
    """The slot picker's context: a week of free slots grouped by the visitor's days."""
    first = _first_day(request, zone)
    start, end = selectors.day_range(first, DAYS_SHOWN, zone)
    slots = selectors.free_slots(org=org, settings=settings, staff=staff, range_start=start, range_end=end)
    today = timezone.now().astimezone(zone).date()
    latest = (timezone.now() + dt.timedelta(days=settings.horizon_days)).astimezone(zone).date()
    return {
        "days": selectors.slots_by_day(slots, zone),
        "first_day": first,
        "prev_day": first - dt.timedelta(days=DAYS_SHOWN) if first > today else None,
        "next_day": first + dt.timedelta(days=DAYS_SHOWN) if first + dt.timedelta(days=DAYS_SHOWN) <= latest else None,
        "zone": zone,
    }


@never_cache
@xframe_options_exempt
@csrf_exempt  # see the module docstring: the signed form token of leads.public stands in for CSRF
def booking_widget(request: HttpRequest, org_slug: str) -> HttpResponse:
    public = public_org_get(org_slug=org_slug)  # 404 when the organization's public pages are off
    org, portal = public.org, public.portal
    settings = selectors.booking_settings_get(org=org)
    zone, tz_name = _visitor_zone(request, org)
    people = selectors.bookable_staff(org=org)
    source = request.POST if request.method == "POST" else request.GET
    chosen_id = source.get("staff", "any")
    chosen = next((u for u in people if str(u.pk) == chosen_id), None)
    form = BookingForm(request.POST or None, services=public.services)
    status = 200
    context: dict[str, Any] = {"org": org, "portal": portal, "settings": settings, "tz_name": tz_name}
    if not settings.enabled or not people:
        return render(request, "bookings/widget_closed.html", context)
    if request.method == "POST":

        def submit(data: dict[str, Any]) -> tuple[Booking, str]:
            start = instant_parse(request.POST.get("start", ""))
            if start is None:
                raise PorticoError(_("Choose a time."), code="invalid")
            return actions.booking_make(
                org=org,
                actor=Actor.from_request(request, kind=ActorKind.SYSTEM),
                staff=chosen,
                start=start,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                message=data["message"],
                service=data.get("service", ""),
                time_zone=tz_name,
                page=request.POST.get("page", "")[:500],
                utm={key: request.POST.get(key, "") for key in UTM_KEYS},
            )

        outcome = public_form_handle(request, org, form, submit)
        if outcome.verdict is Verdict.LIMITED:
            return render(request, "bookings/widget_limited.html", context, status=429)
        if outcome.verdict is Verdict.BOT:  # the usual answer; nothing is made
            return render(request, "bookings/widget_done.html", {**context, "bot": True})
        if outcome.result is not None:
            booking = outcome.result[0]
            done = {**context, "booking": booking, "local": booking.start.astimezone(zone)}
            return render(request, "bookings/widget_done.html", done)
        if isinstance(outcome.refusal, actions.SlotTaken):
            status = 409
    context.update(
        _picker(request=request, org=org, settings=settings, zone=zone, staff=[chosen] if chosen else people)
    )
    context.update(
        {
            "people": people,
            "chosen": chosen,
            "form": form,
            "selected_start": request.POST.get("start", "") or request.GET.get("start", ""),
            "utm": {key: source.get(key, "") for key in UTM_KEYS if source.get(key)},
            "page_url": source.get("page", "") or request.headers.get("Referer", ""),
            "nav_query": urlencode({"tz": tz_name, "staff": chosen.pk if chosen else "any"}),
            "guard": guard_context(request, org),
        }
    )
    return render(request, "bookings/widget.html", context, status=status)


@never_cache
def booking_manage(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """The booker's link: GET shows the booking with Cancel and Reschedule; POST ``op=cancel`` or
    ``op=reschedule`` with ``start``. After a reschedule the same link shows the new booking."""
    org = get_object_or_404(Organization, slug=org_slug)  # the link works with public pages off (to cancel)
    booking = selectors.booking_by_token(org=org, raw_token=token)
    settings = selectors.booking_settings_get(org=org)
    portal = portal_settings_get(org=org)
    zone = time_zone_get(request.GET.get("tz") or booking.time_zone, org.time_zone)
    error = ""
    status = 200
    if request.method == "POST":  # the actions refuse a booking that is not live and upcoming
        actor = Actor.from_request(request, kind=ActorKind.SYSTEM)
        op = request.POST.get("op", "")
        try:
            if op == "cancel":
                actions.booking_cancel(booking=booking, actor=actor)
                return render(
                    request,
                    "bookings/manage_done.html",
                    {"org": org, "portal": portal, "booking": booking, "cancelled": True},
                )
            if op == "reschedule":
                start = instant_parse(request.POST.get("start", ""))
                if start is None:
                    raise PorticoError(_("Choose a time."), code="invalid")
                new = actions.booking_reschedule(booking=booking, actor=actor, start=start, raw_token=token)
                done = {"org": org, "portal": portal, "booking": new, "local": new.start.astimezone(zone)}
                return render(request, "bookings/manage_done.html", done)
            raise PorticoError(_("Choose Cancel or a new time."), code="invalid")
        except PorticoError as exc:
            error = str(exc.message)
            status = 409 if isinstance(exc, actions.SlotTaken) else 400
            booking.refresh_from_db()
    context: dict[str, Any] = {
        "org": org,
        "portal": portal,
        "booking": booking,
        "token": token,
        "local_start": booking.start.astimezone(zone),
        "local_end": booking.end.astimezone(zone),
        "error": error,
        "live": booking.state == BookingState.BOOKED,
        "upcoming": booking.start > timezone.now(),
    }
    if context["live"] and context["upcoming"] and settings.enabled:
        context.update(_picker(request=request, org=org, settings=settings, zone=zone, staff=[booking.staff]))
        context["nav_query"] = urlencode({"tz": request.GET.get("tz", "")})
    return render(request, "bookings/manage.html", context, status=status)
