"""The booker's link: GET shows the booking and changes nothing; POST cancels (audited, staff
told, a cancellation .ics) or reschedules atomically; the same link follows the new booking."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.bookings.models import Booking, BookingState
from portico.bookings.tests.conftest import at, book, ics_parse
from portico.leads.models import Lead
from portico.notifications.models import EventKind, Notification
from portico.outbox.models import OutboxMessage


def _link(world, raw):
    return reverse("booking_manage", args=[world.org.slug, raw])


def test_get_shows_the_booking_and_changes_nothing(client, bookable):
    booking, raw = book(bookable, at(8, 10))
    messages_before = OutboxMessage.objects.count()
    response = client.get(_link(bookable, raw))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alpha Admin" in body and "Cancel my booking" in body and "Move my booking" in body
    assert "4 p.m." in body  # 10:00 in New York, shown in the booker's zone (Madrid)
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED
    assert OutboxMessage.objects.count() == messages_before


def test_cancel_by_the_link(client, bookable, deliver):
    booking, raw = book(bookable, at(8, 10))
    mail.outbox.clear()
    with deliver():
        response = client.post(_link(bookable, raw), {"op": "cancel"})
    assert response.status_code == 200
    assert "cancelled" in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED and booking.cancelled_at is not None
    event = AuditEvent.objects.get(action=AuditAction.BOOKING_CANCELLED)
    assert (event.from_state, event.to_state) == ("booked", "cancelled")
    assert Notification.objects.filter(recipient=bookable.admin, kind=EventKind.BOOKING_CANCELLED).exists()
    cancels = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in cancels) == ["admin@alpha.test", "vera@example.test"]
    for message in cancels:
        ics = ics_parse(message.attachments[0][1])
        assert ics.method == "CANCEL"
        assert ics.props["UID"].startswith(f"UID:booking-{booking.pk}@")
        assert ics.props["STATUS"] == "STATUS:CANCELLED"
    # The link now says it is cancelled, offers no buttons, and a second POST changes nothing.
    again = client.get(_link(bookable, raw)).content.decode()
    assert "This booking is cancelled" in again and "Cancel my booking" not in again
    client.post(_link(bookable, raw), {"op": "cancel"})
    assert AuditEvent.objects.filter(action=AuditAction.BOOKING_CANCELLED).count() == 1


def test_reschedule_moves_the_booking_and_the_link_follows(client, bookable, deliver):
    booking, raw = book(bookable, at(8, 10))
    with deliver():
        response = client.post(_link(bookable, raw), {"op": "reschedule", "start": at(9, 11).isoformat()})
    assert response.status_code == 200
    assert "moved" in response.content.decode()
    booking.refresh_from_db()
    new = Booking.objects.get(state=BookingState.BOOKED)
    assert booking.state == BookingState.CANCELLED and booking.token_digest is None
    assert new.rescheduled_from == booking and new.start == at(9, 11) and new.staff == booking.staff
    assert new.lead == booking.lead and Lead.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.BOOKING_RESCHEDULED).count() == 1
    # The same link shows the new booking.
    page = client.get(_link(bookable, raw)).content.decode()
    assert "Cancel my booking" in page and "5 p.m." in page  # 11:00 New York = 17:00 Madrid
    to_booker = [m for m in mail.outbox if m.to == ["vera@example.test"] and m.attachments]
    methods = sorted(ics_parse(m.attachments[0][1]).method for m in to_booker)
    assert methods == ["CANCEL", "REQUEST"]  # the old time's cancellation, the new time's invitation
    new_mail = next(m for m in to_booker if ics_parse(m.attachments[0][1]).method == "REQUEST")
    assert raw in new_mail.body  # the new confirmation carries the same link


def test_reschedule_to_a_taken_time_changes_nothing(client, bookable):
    booking, raw = book(bookable, at(8, 10))
    book(bookable, at(9, 11), email="other@example.test")
    response = client.post(_link(bookable, raw), {"op": "reschedule", "start": at(9, 11).isoformat()})
    assert response.status_code == 409
    assert "That time was just taken; choose another." in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED and booking.token_digest is not None
    assert Booking.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditAction.BOOKING_RESCHEDULED).exists()


def test_a_wrong_or_foreign_link_is_404(client, bookable, org_b):
    _booking, raw = book(bookable, at(8, 10))
    assert client.get(_link(bookable, "not-a-token")).status_code == 404
    # The right token under another organization's address finds nothing.
    assert client.get(reverse("booking_manage", args=[org_b.org.slug, raw])).status_code == 404
    assert client.post(reverse("booking_manage", args=[org_b.org.slug, raw]), {"op": "cancel"}).status_code == 404
    assert Booking.objects.get().state == BookingState.BOOKED


def test_a_past_booking_cannot_be_cancelled(client, bookable, clock):
    booking, raw = book(bookable, at(8, 10))
    clock.move_to(dt.datetime(2026, 12, 9, tzinfo=dt.UTC))
    page = client.get(_link(bookable, raw)).content.decode()
    assert "has passed" in page
    client.post(_link(bookable, raw), {"op": "cancel"})
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED
