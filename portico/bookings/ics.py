"""The .ics (RFC 5545, iTIP METHOD:REQUEST / METHOD:CANCEL) attached to booking confirmations and
cancellations. Times in UTC; the same UID for a booking's request and its cancellation, so calendar
apps update the event they added. No link in it: the cancel link is a secret kept out of stored rows."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.conf import settings

from portico.bookings.models import Booking

MIMETYPE = "text/calendar"


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _param(value: str) -> str:
    return '"' + value.replace('"', "'") + '"'


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and a space."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def booking_uid(booking: Booking) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rsplit("@", 1)[-1] or "portico"
    return f"booking-{booking.pk}@{domain}"


def booking_ics(booking: Booking, *, method: str, summary: str, description: str = "") -> str:
    """The calendar object for ``booking``: METHOD:REQUEST when booked, METHOD:CANCEL when cancelled."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(method)
    staff = booking.staff
    organizer_name = staff.display_name
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Portico//Bookings//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{booking_uid(booking)}",
        f"DTSTAMP:{_stamp(booking.cancelled_at or booking.created_at)}",
        f"DTSTART:{_stamp(booking.start)}",
        f"DTEND:{_stamp(booking.end)}",
        f"SUMMARY:{_text(summary)}",
        f"ORGANIZER;CN={_param(organizer_name)}:mailto:{staff.email}",
    ]
    if booking.email:
        lines.append(f"ATTENDEE;CN={_param(booking.name)};ROLE=REQ-PARTICIPANT:mailto:{booking.email}")
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    lines += [
        f"SEQUENCE:{1 if method == 'CANCEL' else 0}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def booking_attachment(booking: Booking, *, method: str, summary: str, description: str = "") -> dict[str, str]:
    """The outbox attachment ({filename, mimetype, content})."""
    name = "invite.ics" if method == "REQUEST" else "cancel.ics"
    return {
        "filename": name,
        "mimetype": MIMETYPE,
        "content": booking_ics(booking, method=method, summary=summary, description=description),
    }
