"""Every change to bookings: the organization's booking settings, staff availability (weekly
windows) and time off, booking a slot (with its lead), cancelling and rescheduling. Each is an
``@action`` with its audit row; confirmations (.ics attached) go through the outbox in the same
transaction, and the staff member hears of it through notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.bookings.ics import booking_attachment
from portico.bookings.models import (
    BOOKING_MACHINE,
    AvailabilityWindow,
    Booking,
    BookingSettings,
    BookingState,
    TimeOff,
    Weekday,
)
from portico.bookings.selectors import bookable_staff, booking_settings_get, free_slots
from portico.core.actors import Actor
from portico.core.contact import email_normalize, phone_normalize
from portico.core.errors import PorticoError
from portico.core.timezones import time_zone_get, time_zone_names
from portico.core.tokens import token_digest, token_new
from portico.leads.actions import lead_submit
from portico.leads.models import LeadSource
from portico.leads.public import rate_window
from portico.notifications.actions import Event, notify_user
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.orgs.selectors import is_active_member
from portico.outbox.actions import outbox_enqueue, outbox_enqueue_email
from portico.outbox.models import Channel, secret_marker


class SlotTaken(PorticoError):
    """The chosen time is no longer free (someone booked it first, even at the same moment)."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__(_("That time was just taken; choose another."), code="slot_taken")


# --- settings and availability ---


@action
def booking_settings_save(
    *,
    org: Organization,
    actor: Actor,
    enabled: bool,
    slot_minutes: int,
    min_notice_hours: int,
    horizon_days: int,
) -> BookingSettings:
    """Save the organization's booking settings (made on the first save)."""
    if not 10 <= slot_minutes <= 480:
        raise PorticoError(_("A slot lasts from 10 to 480 minutes."), code="invalid", extra={"field": "slot_minutes"})
    if not 0 <= min_notice_hours <= 720:
        raise PorticoError(_("Minimum notice is 0 to 720 hours."), code="invalid", extra={"field": "min_notice_hours"})
    if not 1 <= horizon_days <= 365:
        raise PorticoError(_("Booking ahead is 1 to 365 days."), code="invalid", extra={"field": "horizon_days"})
    values = {
        "enabled": enabled,
        "slot_minutes": slot_minutes,
        "min_notice_hours": min_notice_hours,
        "horizon_days": horizon_days,
    }
    saved, _created = BookingSettings.objects.update_or_create(
        org=org, defaults={**values, "updated_at": timezone.now()}
    )
    audit_record(org=org, actor=actor, action=AuditAction.AVAILABILITY_CHANGED, target=org, detail={"settings": values})
    return saved


def _staff_of(org: Organization, user: User) -> None:
    if not is_active_member(org=org, user=user):
        raise PorticoError(_("Only active staff members can have availability."), code="not_staff")


@action
def availability_window_add(
    *, org: Organization, user: User, actor: Actor, weekday: int, start: dt.time, end: dt.time
) -> AvailabilityWindow:
    """A weekly window in which ``user`` can be booked (times in the organization's time zone)."""
    _staff_of(org, user)
    if weekday not in Weekday.values:
        raise PorticoError(_("Choose a day of the week."), code="invalid", extra={"field": "weekday"})
    if end <= start:
        raise PorticoError(_("The end must be after the start."), code="invalid", extra={"field": "end"})
    clash = AvailabilityWindow.objects.filter(org=org, user=user, weekday=weekday, start__lt=end, end__gt=start).first()
    if clash is not None:
        raise PorticoError(
            _("This overlaps %(window)s. Change or remove that window first.") % {"window": clash},
            code="overlap",
            extra={"field": "start"},
        )
    window = AvailabilityWindow.objects.create(org=org, user=user, weekday=weekday, start=start, end=end)
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.AVAILABILITY_CHANGED,
        target=user,
        detail={"window_added": str(window), "weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
    )
    return window


@action
def availability_window_remove(*, window: AvailabilityWindow, actor: Actor) -> None:
    label = str(window)
    AvailabilityWindow.objects.filter(pk=window.pk).delete()
    audit_record(
        org=window.org_id,
        actor=actor,
        action=AuditAction.AVAILABILITY_CHANGED,
        target=window.user,
        detail={"window_removed": label},
    )


@action
def time_off_add(
    *, org: Organization, user: User, actor: Actor, start: dt.datetime, end: dt.datetime, reason: str = ""
) -> TimeOff:
    """``user`` cannot be booked between two instants (bookings already made stay: staff cancel them)."""
    _staff_of(org, user)
    if end <= start:
        raise PorticoError(_("The end must be after the start."), code="invalid", extra={"field": "end"})
    item = TimeOff.objects.create(org=org, user=user, start=start, end=end, reason=reason.strip()[:200])
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.AVAILABILITY_CHANGED,
        target=user,
        detail={"time_off_added": [start.isoformat(), end.isoformat()], "reason": item.reason},
    )
    return item


@action
def time_off_remove(*, time_off: TimeOff, actor: Actor) -> None:
    TimeOff.objects.filter(pk=time_off.pk).delete()
    audit_record(
        org=time_off.org_id,
        actor=actor,
        action=AuditAction.AVAILABILITY_CHANGED,
        target=time_off.user,
        detail={"time_off_removed": [time_off.start.isoformat(), time_off.end.isoformat()]},
    )


# --- bookings ---


def _manage_url(org: Organization, raw_token: str) -> str:
    return django_settings.SITE_URL + reverse("booking_manage", args=[org.slug, raw_token])


def _when(moment: dt.datetime, zone_name: str, fallback: str) -> str:
    local = moment.astimezone(time_zone_get(zone_name, fallback))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()}, {local.tzinfo})"


def _claim(
    *,
    org: Organization,
    candidates: list[int],
    staff_by_id: dict[int, User],
    start: dt.datetime,
    length: dt.timedelta,
    fields: dict[str, Any],
) -> Booking:
    """Insert the booking for the first candidate whose slot is still free. The partial unique
    index (and on PostgreSQL the exclusion constraint) decides races: a concurrent insert of the
    same slot waits for the winner and then fails here, in a savepoint, and the next candidate
    (for "anyone") is tried."""
    for staff_id in candidates:
        try:
            with transaction.atomic():
                return Booking.objects.create(
                    org=org, staff=staff_by_id[staff_id], start=start, end=start + length, **fields
                )
        except IntegrityError:
            continue
    raise SlotTaken()


def _slot_candidates(
    *, org: Organization, settings: BookingSettings, staff: list[User], start: dt.datetime
) -> list[int]:
    slots = free_slots(
        org=org,
        settings=settings,
        staff=staff,
        range_start=start,
        range_end=start + dt.timedelta(minutes=settings.slot_minutes),
    )
    slot = next((s for s in slots if s.start == start), None)
    if slot is None:
        raise SlotTaken()
    return slot.staff_ids


DAY = 24 * 3600


def _booker_may_hear(booking: Booking) -> bool:
    """Whether the booker's confirmation may go out. Anyone can type any address or number into
    the public widget, so each destination hears from us at most
    PORTICO_BOOKING_MESSAGES_PER_DESTINATION times a day (no email bombing of a stranger), and an
    organization sends at most PORTICO_BOOKING_SMS_PER_ORG confirmation SMS a day (no toll fraud
    on its bill). Counted in the cache (leads.public.rate_window); past the cap the booking stands,
    the message is not sent and the staff member is told."""
    per_destination = django_settings.PORTICO_BOOKING_MESSAGES_PER_DESTINATION
    if booking.email:
        return rate_window(f"booking-confirm:email:{booking.email.lower()}", per_destination, DAY)
    if not booking.phone:
        return False
    sms_per_org = django_settings.PORTICO_BOOKING_SMS_PER_ORG
    return rate_window(f"booking-confirm:phone:{booking.phone}", per_destination, DAY) and rate_window(
        f"booking-confirm:sms:org:{booking.org_id}", sms_per_org, DAY
    )


def _announce_booked(booking: Booking, *, raw_token: str, rescheduled: bool = False) -> None:
    """The booker's confirmation (email with the .ics and the link, or an SMS with the link when
    they gave only a mobile; not when ``booking.confirmation_withheld``, see ``_booker_may_hear``), the staff member's
    email with the .ics, and their notification."""
    org = booking.org
    staff = booking.staff
    link = _manage_url(org, raw_token)
    key = f"booking:{booking.pk}:booked"
    with translation.override(org.language):
        summary = _("Appointment with %(person)s (%(org)s)") % {"person": staff.display_name, "org": org.name}
        when_booker = _when(booking.start, booking.time_zone, org.time_zone)
        context = {"booking": booking, "org": org, "staff": staff, "when": when_booker, "rescheduled": rescheduled}
        if booking.confirmation_withheld:
            pass
        elif booking.email:
            outbox_enqueue_email(
                org=org,
                to=booking.email,
                template="bookings/email/booked_booker",
                context=context,
                idempotency_key=f"{key}:booker",
                language=org.language,
                secrets={"manage_link": link},
                attachments=[booking_attachment(booking, method="REQUEST", summary=summary)],
            )
        elif booking.phone:
            text = _("%(org)s: your appointment with %(person)s on %(when)s is booked. Cancel or change: %(link)s") % {
                "org": org.name,
                "person": staff.display_name,
                "when": when_booker,
                "link": secret_marker("manage_link"),
            }
            outbox_enqueue(
                org=org,
                channel=Channel.SMS,
                to=booking.phone,
                idempotency_key=f"{key}:booker:sms",
                body_text=text,
                secrets={"manage_link": link},
            )
    language = staff.language or org.language
    with translation.override(language):
        staff_summary = _("Appointment with %(name)s") % {"name": booking.name}
        when_staff = _when(booking.start, org.time_zone, org.time_zone)
        body = booking.message[:300]
        if booking.confirmation_withheld:
            body = _("No confirmation was sent to %(address)s: it has had too many today. Contact them to confirm.") % {
                "address": booking.email or booking.phone or "–"
            } + ("\n\n" + body if body else "")
        outbox_enqueue_email(
            org=org,
            to=staff.email,
            template="bookings/email/booked_staff",
            context={
                "booking": booking,
                "org": org,
                "staff": staff,
                "when": when_staff,
                "rescheduled": rescheduled,
                "withheld": booking.confirmation_withheld,
            },
            idempotency_key=f"{key}:staff",
            language=language,
            attachments=[
                booking_attachment(booking, method="REQUEST", summary=staff_summary, description=booking.message)
            ],
        )
        notify_user(
            org=org,
            user=staff,
            event=Event(
                kind=EventKind.BOOKING_MADE,
                key=f"{key}:notify",
                title=_("%(name)s booked %(when)s with you") % {"name": booking.name, "when": when_staff},
                body=body,
                url=reverse("booking_list", args=[org.slug]),
            ),
        )


def _announce_cancelled(booking: Booking, *, moved_to: Booking | None = None) -> None:
    """Cancellation .ics (METHOD:CANCEL, same UID) to the booker and the staff member; the staff
    member's notification says cancelled or moved."""
    org = booking.org
    staff = booking.staff
    key = f"booking:{booking.pk}:cancelled"
    with translation.override(org.language):
        summary = _("Appointment with %(person)s (%(org)s)") % {"person": staff.display_name, "org": org.name}
        context = {
            "booking": booking,
            "org": org,
            "staff": staff,
            "when": _when(booking.start, booking.time_zone, org.time_zone),
            "moved": moved_to is not None,
        }
        if booking.email:
            outbox_enqueue_email(
                org=org,
                to=booking.email,
                template="bookings/email/cancelled_booker",
                context=context,
                idempotency_key=f"{key}:booker",
                language=org.language,
                attachments=[booking_attachment(booking, method="CANCEL", summary=summary)],
            )
        elif booking.phone and moved_to is None:
            outbox_enqueue(
                org=org,
                channel=Channel.SMS,
                to=booking.phone,
                idempotency_key=f"{key}:booker:sms",
                body_text=_("%(org)s: your appointment on %(when)s is cancelled.")
                % {"org": org.name, "when": context["when"]},
            )
    language = staff.language or org.language
    with translation.override(language):
        when_staff = _when(booking.start, org.time_zone, org.time_zone)
        outbox_enqueue_email(
            org=org,
            to=staff.email,
            template="bookings/email/cancelled_staff",
            context={**context, "when": when_staff},
            idempotency_key=f"{key}:staff",
            language=language,
            attachments=[
                booking_attachment(
                    booking, method="CANCEL", summary=_("Appointment with %(name)s") % {"name": booking.name}
                )
            ],
        )
        if moved_to is not None:
            title = _("%(name)s moved their booking from %(old)s to %(new)s") % {
                "name": booking.name,
                "old": when_staff,
                "new": _when(moved_to.start, org.time_zone, org.time_zone),
            }
        else:
            title = _("%(name)s cancelled their booking of %(when)s") % {"name": booking.name, "when": when_staff}
        notify_user(
            org=org,
            user=staff,
            event=Event(
                kind=EventKind.BOOKING_CANCELLED,
                key=f"{key}:notify",
                title=title,
                url=reverse("booking_list", args=[org.slug]),
            ),
        )


def _take_slot(
    *,
    org: Organization,
    settings: BookingSettings,
    staff: list[User],
    staff_by_id: dict[int, User],
    start: dt.datetime,
    fields: dict[str, Any],
) -> Booking:
    """Book ``start`` with the first of ``staff`` still free then (``SlotTaken`` otherwise)."""
    return _claim(
        org=org,
        candidates=_slot_candidates(org=org, settings=settings, staff=staff, start=start),
        staff_by_id=staff_by_id,
        start=start,
        length=dt.timedelta(minutes=settings.slot_minutes),
        fields=fields,
    )


def _booked(
    booking: Booking,
    *,
    actor: Actor,
    raw_token: str,
    detail: dict[str, Any],
    moved_from: Booking | None = None,
) -> None:
    """A booking just made (or moved to): its audit row, then the messages (for a move, the old
    booking's cancellation first)."""
    booking.confirmation_withheld = not _booker_may_hear(booking)
    if booking.confirmation_withheld:
        detail = {**detail, "booker_confirmation": "withheld"}
    audit_record(
        org=booking.org,
        actor=actor,
        action=AuditAction.BOOKING_MADE,
        target=booking,
        to_state=BookingState.BOOKED,
        detail={"staff": booking.staff_id, "start": booking.start.isoformat(), **detail},
    )
    if moved_from is not None:
        _announce_cancelled(moved_from, moved_to=booking)
    _announce_booked(booking, raw_token=raw_token, rescheduled=moved_from is not None)


def _upcoming_and_live(booking: Booking) -> None:
    if booking.state != BookingState.BOOKED:
        raise PorticoError(_("This booking is no longer live."), code="not_live")
    if booking.start <= timezone.now():
        raise PorticoError(_("This booking has already started or passed."), code="past")


@action
def booking_make(
    *,
    org: Organization,
    actor: Actor,
    staff: User | None,
    start: dt.datetime,
    name: str,
    email: str = "",
    phone: str = "",
    message: str = "",
    service: str = "",
    time_zone: str = "",
    page: str = "",
    utm: dict[str, Any] | None = None,
) -> tuple[Booking, str]:
    """A visitor books ``start`` with ``staff`` (None: anyone available). The booking and its
    lead are made in one transaction; a slot that is not free (or was just taken, even at the
    same moment) is ``SlotTaken`` and nothing is made. Returns the booking and the raw token of
    its cancel/reschedule link (only its digest is stored)."""
    settings = booking_settings_get(org=org)
    if not settings.enabled:
        raise PorticoError(_("This organization does not take bookings online."), code="booking_off")
    name = " ".join((name or "").split())[:200]
    if not name:
        raise PorticoError(_("Enter a name."), code="invalid", extra={"field": "name"})
    email, phone = email_normalize(email), phone_normalize(phone)
    if not email and not phone:
        raise PorticoError(_("Enter an email address or a mobile number."), code="invalid", extra={"field": "email"})
    time_zone = time_zone if time_zone in time_zone_names() else ""
    start = start.astimezone(dt.UTC)
    people = bookable_staff(org=org)
    staff_by_id = {user.pk: user for user in people}
    if staff is not None and staff.pk not in staff_by_id:
        raise PorticoError(_("This person cannot be booked."), code="not_bookable")
    raw_token, digest = token_new()
    booking = _take_slot(
        org=org,
        settings=settings,
        staff=[staff] if staff is not None else people,
        staff_by_id=staff_by_id,
        start=start,
        fields={
            "name": name,
            "email": email,
            "phone": phone,
            "service": (service or "")[:200],
            "message": (message or "")[:5000],
            "time_zone": time_zone,
            "token_digest": digest,
        },
    )
    with translation.override(org.language):
        booked_line = _("Booked %(when)s with %(person)s.") % {
            "when": _when(booking.start, org.time_zone, org.time_zone),
            "person": booking.staff.display_name,
        }
    lead = lead_submit(
        org=org,
        actor=actor,
        source=LeadSource.BOOKING,
        name=name,
        email=email,
        phone=phone,
        message=f"{booked_line}\n\n{message}".strip(),
        service=service,
        utm=utm,
        page=page,
        time_zone=time_zone,
    )
    Booking.objects.filter(pk=booking.pk).update(lead=lead)
    booking.lead = lead
    _booked(booking, actor=actor, raw_token=raw_token, detail={"lead": lead.pk})
    return booking, raw_token


@action
def booking_cancel(
    *, booking: Booking, actor: Actor, staff_user: User | None = None, may_cancel_others: bool = False
) -> Booking:
    """Cancel a live, upcoming booking: audited, the booker and the staff member told with a
    cancellation .ics. The link keeps showing that it is cancelled. The booker cancels by their
    link (no ``staff_user``); a staff member (``staff_user``) cancels their own bookings, or
    anyone's when ``may_cancel_others`` (the settings permission)."""
    if staff_user is not None and booking.staff_id != staff_user.pk and not may_cancel_others:
        raise PorticoError(_("You can cancel only your own bookings."), code="not_yours")
    _upcoming_and_live(booking)
    now = timezone.now()
    BOOKING_MACHINE.apply(booking, "cancel", actor=actor, updates={"cancelled_at": now})
    booking.cancelled_at = now
    _announce_cancelled(booking)
    return booking


@action
def booking_reschedule(*, booking: Booking, actor: Actor, start: dt.datetime, raw_token: str) -> Booking:
    """Move a booking to another free slot with the same person, atomically: the old one is
    cancelled and a new one (``rescheduled_from`` the old) is booked; when the new slot is taken
    nothing changes (``SlotTaken``). The booker's link (``raw_token``) moves to the new booking,
    so the same link keeps working."""
    if token_digest(raw_token) != booking.token_digest:
        raise PorticoError(_("This link does not belong to the booking."), code="wrong_link")
    org = booking.org
    _upcoming_and_live(booking)
    settings = booking_settings_get(org=org)
    if not settings.enabled:
        raise PorticoError(
            _("This organization no longer takes bookings online: you can still cancel."), code="booking_off"
        )
    start = start.astimezone(dt.UTC)
    now = timezone.now()
    BOOKING_MACHINE.apply(
        booking,
        "reschedule",
        actor=actor,
        updates={"cancelled_at": now, "token_digest": None},
        detail={"from": booking.start.isoformat(), "to": start.isoformat()},
    )
    booking.cancelled_at, booking.token_digest = now, None
    new = _take_slot(
        org=org,
        settings=settings,
        staff=[booking.staff],
        staff_by_id={booking.staff_id: booking.staff},
        start=start,
        fields={
            "name": booking.name,
            "email": booking.email,
            "phone": booking.phone,
            "service": booking.service,
            "message": booking.message,
            "time_zone": booking.time_zone,
            "token_digest": token_digest(raw_token),
            "lead": booking.lead,
            "rescheduled_from": booking,
        },
    )
    _booked(new, actor=actor, raw_token=raw_token, detail={"rescheduled_from": booking.pk}, moved_from=booking)
    return new
