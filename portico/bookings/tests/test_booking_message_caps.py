"""The widget cannot be used to bomb a stranger with messages or run up SMS costs: each email
address or mobile number gets at most PORTICO_BOOKING_MESSAGES_PER_DESTINATION confirmations a
day, and each organization sends at most PORTICO_BOOKING_SMS_PER_ORG confirmation SMS a day.
Past a cap the booking is still made, nothing goes to that destination, and staff are told."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.bookings.models import Booking
from portico.bookings.tests.conftest import at, book, bookable_setup
from portico.leads.public import TOKEN_FIELD, form_token_new
from portico.notifications.models import EventKind, Notification
from portico.outbox.models import Channel, OutboxMessage

SLOTS = [at(8, 9), at(8, 9, 30), at(8, 10), at(8, 10, 30), at(8, 11)]


def _to(address: str) -> int:
    return OutboxMessage.objects.filter(to=address).count()


def test_an_email_address_gets_three_confirmations_a_day_and_the_bookings_still_stand(bookable):
    for start in SLOTS[:4]:
        book(bookable, start, email="victim@example.test")
    assert Booking.objects.count() == 4
    assert _to("victim@example.test") == 3
    withheld = Booking.objects.order_by("-id").first()
    # The staff member hears of the fourth booking, and that its booker was not confirmed.
    note = Notification.objects.filter(kind=EventKind.BOOKING_MADE).order_by("-id").first()
    assert "No confirmation was sent to victim@example.test" in note.body
    staff_mail = OutboxMessage.objects.get(idempotency_key=f"booking:{withheld.pk}:booked:staff")
    assert "No confirmation was sent to the booker" in staff_mail.body_text
    event = AuditEvent.objects.get(action=AuditAction.BOOKING_MADE, target_id=str(withheld.pk))
    assert event.detail["booker_confirmation"] == "withheld"
    # Another address is not held back, and staff emails are never capped.
    book(bookable, SLOTS[4], email="someone@example.test")
    assert _to("someone@example.test") == 1
    staff_emails = OutboxMessage.objects.filter(to=bookable.admin.email, idempotency_key__endswith=":booked:staff")
    assert staff_emails.count() == 5


def test_the_cap_ignores_the_case_of_the_address(bookable, settings):
    settings.PORTICO_BOOKING_MESSAGES_PER_DESTINATION = 1
    book(bookable, SLOTS[0], email="victim@example.test")
    book(bookable, SLOTS[1], email="VICTIM@Example.test")
    assert OutboxMessage.objects.filter(to__iexact="victim@example.test").count() == 1


def test_the_count_starts_again_the_next_day(bookable, settings, clock):
    settings.PORTICO_BOOKING_MESSAGES_PER_DESTINATION = 1
    book(bookable, SLOTS[0], email="victim@example.test")
    book(bookable, SLOTS[1], email="victim@example.test")
    assert _to("victim@example.test") == 1
    clock.shift(dt.timedelta(days=1))
    book(bookable, at(9, 11), email="victim@example.test")
    assert _to("victim@example.test") == 2


def test_a_mobile_number_gets_three_sms_a_day(bookable):
    for start in SLOTS[:4]:
        book(bookable, start, email="", phone="+52 55 1234 5678")
    assert Booking.objects.count() == 4
    assert OutboxMessage.objects.filter(channel=Channel.SMS, to="+525512345678").count() == 3


def test_an_organization_sends_at_most_its_daily_sms_to_bookers(bookable, org_b, settings):
    settings.PORTICO_BOOKING_SMS_PER_ORG = 2
    for number, start in enumerate(SLOTS[:3]):
        book(bookable, start, email="", phone=f"+52 55 1234 567{number}")
    assert Booking.objects.count() == 3
    assert OutboxMessage.objects.filter(channel=Channel.SMS).count() == 2
    # Email confirmations are not held back by the SMS cap.
    book(bookable, SLOTS[3], email="mail@example.test")
    assert _to("mail@example.test") == 1


def test_a_reschedule_confirmation_counts_too(client, bookable, settings):
    settings.PORTICO_BOOKING_MESSAGES_PER_DESTINATION = 1
    _booking, raw = book(bookable, SLOTS[0], email="victim@example.test")
    link = reverse("booking_manage", args=[bookable.org.slug, raw])
    client.post(link, {"op": "reschedule", "start": SLOTS[2].astimezone(dt.UTC).isoformat()})
    assert Booking.objects.filter(state="booked").get().start == SLOTS[2]
    # The move's cancellation of the old time still goes out; the second confirmation does not.
    confirmations = OutboxMessage.objects.filter(to="victim@example.test", idempotency_key__endswith=":booked:booker")
    assert confirmations.count() == 1


def test_the_widget_tells_the_booker_when_no_confirmation_was_sent(client, bookable, settings):
    settings.PORTICO_BOOKING_MESSAGES_PER_DESTINATION = 0
    response = client.post(
        reverse("booking_widget", args=[bookable.org.slug]),
        {
            TOKEN_FIELD: form_token_new(bookable.org),
            "start": SLOTS[0].astimezone(dt.UTC).isoformat(),
            "staff": "any",
            "name": "Vera Visitor",
            "email": "victim@example.test",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "could not send a confirmation" in text and "We sent you a confirmation" not in text
    assert Booking.objects.count() == 1 and _to("victim@example.test") == 0


def test_one_organizations_bookings_do_not_use_up_anothers_sms(bookable, org_b, settings):
    settings.PORTICO_BOOKING_SMS_PER_ORG = 1
    bookable_setup(org_b)
    book(bookable, SLOTS[0], email="", phone="+52 55 1234 5670")
    book(org_b, SLOTS[0], email="", phone="+52 55 1234 5671")
    assert OutboxMessage.objects.filter(channel=Channel.SMS).count() == 2
