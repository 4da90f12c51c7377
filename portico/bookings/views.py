"""Staff pages of bookings: the booking settings with everyone's availability (admins), my own
availability (any staff member), and the list of bookings. Thin: validate, call one action, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.accounts.models import User
from portico.bookings import actions, selectors
from portico.bookings.forms import BookingSettingsForm, TimeOffForm, WindowForm
from portico.core.errors import PorticoError
from portico.leads.embed import embed_snippets
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission

STAFF_SHOWN = 10  # people whose availability the settings page shows at once (``?staff=`` picks one)


def _availability(
    request: HttpRequest,
    *,
    people: list[User],
    choose_staff: bool,
    template: str,
    extra: dict[str, Any],
    shown: list[User] | None = None,
) -> HttpResponse:
    """The shared half of both availability pages: POST ``op`` adds or removes a window or time
    off for one of ``people``; GET (or a form with errors) shows the windows and time off of
    ``shown`` (default: everyone in ``people``)."""
    org = request.org  # type: ignore[attr-defined]
    zone = selectors.org_zone(org)
    staff_choices = people if choose_staff else None
    window_form = WindowForm(staff=staff_choices, prefix="w")
    time_off_form = TimeOffForm(staff=staff_choices, prefix="t")
    allowed = {user.pk: user for user in people}
    if request.method == "POST":
        op = request.POST.get("op", "")
        actor = org_actor(request)
        if op == "window_add":
            window_form = WindowForm(request.POST, staff=staff_choices, prefix="w")
            if window_form.is_valid():
                data = window_form.cleaned_data
                user = allowed[data["user"]] if choose_staff else people[0]
                actions.availability_window_add(
                    org=org, user=user, actor=actor, weekday=data["weekday"], start=data["start"], end=data["end"]
                )
                messages.success(request, _("Availability added."))
                return redirect(request.get_full_path())
        elif op == "time_off_add":
            with timezone.override(zone):  # typed in the organization's time zone
                time_off_form = TimeOffForm(request.POST, staff=staff_choices, prefix="t")
                valid = time_off_form.is_valid()
            if valid:
                data = time_off_form.cleaned_data
                user = allowed[data["user"]] if choose_staff else people[0]
                actions.time_off_add(
                    org=org, user=user, actor=actor, start=data["start"], end=data["end"], reason=data["reason"]
                )
                messages.success(request, _("Time off added."))
                return redirect(request.get_full_path())
        elif op in ("window_remove", "time_off_remove"):
            try:
                item_id = int(request.POST.get("id", ""))
            except ValueError:
                raise PorticoError(_("Choose what to remove.")) from None
            if op == "window_remove":
                window = selectors.window_get(org=org, window_id=item_id)
                if window.user_id not in allowed:
                    raise PorticoError(_("You can change only your own availability."), code="not_yours")
                actions.availability_window_remove(window=window, actor=actor)
            else:
                item = selectors.time_off_get(org=org, time_off_id=item_id)
                if item.user_id not in allowed:
                    raise PorticoError(_("You can change only your own availability."), code="not_yours")
                actions.time_off_remove(time_off=item, actor=actor)
            messages.success(request, _("Removed."))
            return redirect(request.get_full_path())
        elif op != "settings":
            raise PorticoError(_("Choose what to change."))
    shown = people if shown is None else shown
    windows = selectors.windows_of(org=org, users=shown)
    time_off = selectors.time_off_of(org=org, users=shown)
    rows = [
        {
            "user": user,
            "windows": windows.get(user.pk, []),
            "time_off": [
                (item, item.start.astimezone(zone), item.end.astimezone(zone)) for item in time_off.get(user.pk, [])
            ],
        }
        for user in shown
    ]
    context = {"rows": rows, "window_form": window_form, "time_off_form": time_off_form, "zone": zone, **extra}
    return render(request, template, context)


@org_view(Permission.ORG_SETTINGS)
def booking_settings(request: HttpRequest) -> HttpResponse:
    """Booking on/off, slot length, notice and horizon; every staff member's availability."""
    org = request.org  # type: ignore[attr-defined]
    current = selectors.booking_settings_get(org=org)
    initial = {
        "enabled": current.enabled,
        "slot_minutes": current.slot_minutes,
        "min_notice_hours": current.min_notice_hours,
        "horizon_days": current.horizon_days,
    }
    settings_form = BookingSettingsForm(initial=initial, prefix="s")
    if request.method == "POST" and request.POST.get("op") == "settings":
        settings_form = BookingSettingsForm(request.POST, prefix="s")
        if settings_form.is_valid():
            actions.booking_settings_save(org=org, actor=org_actor(request), **settings_form.cleaned_data)
            messages.success(request, _("Booking settings saved."))
            return redirect("booking_settings", org_slug=org.slug)
    people = selectors.staff_members(org=org)
    # Windows and time off of a few people at a time: the chosen one (``?staff=``), else the first.
    chosen = request.GET.get("staff", "")
    shown = [user for user in people if str(user.pk) == chosen] or people[:STAFF_SHOWN]
    return _availability(
        request,
        people=people,
        shown=shown,
        choose_staff=True,
        template="bookings/settings.html",
        extra={
            "settings_form": settings_form,
            "booking": current,
            "snippets": embed_snippets(org.slug, ("booking",)) if current.enabled else [],
            "people": people,
            "chosen_staff": shown[0] if chosen and len(shown) == 1 else None,
            "staff_chooser": len(people) > STAFF_SHOWN,
        },
    )


@org_view(Permission.CLIENTS_VIEW)
def my_availability(request: HttpRequest) -> HttpResponse:
    """My own weekly windows and time off."""
    user: User = request.user  # type: ignore[assignment]
    return _availability(request, people=[user], choose_staff=False, template="bookings/my_availability.html", extra={})


@org_view(Permission.CLIENTS_VIEW)
def booking_list(request: HttpRequest) -> HttpResponse:
    """My upcoming bookings; with the settings permission, everyone's (``?who=all``); ``?when=past``."""
    org = request.org  # type: ignore[attr-defined]
    can_all = request.org_ctx.has(Permission.ORG_SETTINGS)  # type: ignore[attr-defined]
    everyone = can_all and request.GET.get("who") == "all"
    past = request.GET.get("when") == "past"
    page = selectors.booking_page(
        org=org,
        user=request.user,  # type: ignore[arg-type]
        everyone=everyone,
        past=past,
        cursor=request.GET.get("cursor", ""),
    )
    zone = selectors.org_zone(org)
    rows = [(b, b.start.astimezone(zone), b.end.astimezone(zone)) for b in page.rows]
    context = {"page": page, "rows": rows, "everyone": everyone, "past": past, "can_all": can_all, "zone": zone}
    return render(request, "bookings/list.html", context)


@org_view(Permission.CLIENTS_VIEW)
@require_POST
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Staff cancel a booking: their own, or anyone's with the settings permission. The booker
    gets the cancellation (.ics) like when they cancel themselves."""
    org = request.org  # type: ignore[attr-defined]
    booking = selectors.booking_get(org=org, booking_id=booking_id)
    actions.booking_cancel(
        booking=booking,
        actor=org_actor(request),
        staff_user=request.user,  # type: ignore[arg-type]
        may_cancel_others=request.org_ctx.has(Permission.ORG_SETTINGS),  # type: ignore[attr-defined]
    )
    messages.success(request, _("Booking cancelled; %(name)s has been told.") % {"name": booking.name})
    url = reverse("booking_list", args=[org.slug])
    return redirect(url + "?who=all" if request.POST.get("who") == "all" else url)
