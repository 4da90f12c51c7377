"""The public booking widget: free slots in the visitor's time zone, a booking with its lead,
confirmations with .ics for the booker and the staff member, the bot defences and rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from portico.bookings.models import Booking, BookingState
from portico.bookings.tests.conftest import at, book, ics_parse
from portico.core.tokens import token_digest
from portico.leads.models import Lead, LeadSource
from portico.leads.public import HONEYPOT_FIELD, TOKEN_FIELD, form_token_new
from portico.notifications.models import EventKind, Notification
from portico.outbox.models import OutboxMessage
from testing.world import portal_set_up


def _url(world, **query):
    base = reverse("booking_widget", args=[world.org.slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _post(client, world, start, **fields):
    data = {
        TOKEN_FIELD: form_token_new(world.org),
        "start": start.astimezone(dt.UTC).isoformat(),
        "staff": "any",
        "tz": "Europe/Madrid",
        "name": "Vera Visitor",
        "email": "vera@example.test",
        "message": "About my taxes",
        "page": "https://alpha.example/contact",
        **fields,
    }
    return client.post(_url(world), data)


def test_the_widget_shows_free_times_in_the_visitors_time_zone(client, bookable):
    response = client.get(_url(bookable, tz="Europe/Madrid"))
    assert response.status_code == 200
    body = response.content.decode()
    # Tuesday 9:00 in New York is 15:00 in Madrid; the value is the UTC instant.
    assert 'value="2026-12-08T14:00:00+00:00"' in body
    assert "3 p.m." in body and "Europe/Madrid" in body
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in body
    assert "X-Frame-Options" not in response.headers  # embeddable in the organization's website


def test_without_a_time_zone_the_organizations_is_used(client, bookable):
    body = client.get(_url(bookable)).content.decode()
    assert "America/New_York" in body
    assert "9 a.m." in body


def test_a_booking_makes_the_booking_its_lead_and_confirmations_with_ics(client, bookable, deliver):
    portal_set_up(bookable, services="Tax return\nBookkeeping")
    with deliver():
        response = _post(client, bookable, at(8, 10), service="Tax return")
    assert response.status_code == 200
    assert "you are booked" in response.content.decode()
    booking = Booking.objects.get()
    assert (booking.org, booking.staff, booking.state) == (bookable.org, bookable.admin, BookingState.BOOKED)
    assert booking.start == dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)
    assert booking.end - booking.start == dt.timedelta(minutes=30)
    assert booking.time_zone == "Europe/Madrid"
    lead = Lead.objects.get()
    assert booking.lead == lead
    assert (lead.source, lead.name, lead.email, lead.service) == (
        LeadSource.BOOKING,
        "Vera Visitor",
        "vera@example.test",
        "Tax return",
    )
    assert "Alpha Admin" in lead.message and "About my taxes" in lead.message and "Booked" in lead.message
    assert lead.page == "https://alpha.example/contact"

    to_booker = [m for m in mail.outbox if m.to == ["vera@example.test"]]
    assert len(to_booker) == 1
    link = reverse("booking_manage", args=[bookable.org.slug, "X"]).rsplit("X", 1)[0]
    assert link in to_booker[0].body
    raw = to_booker[0].body.split(link, 1)[1].split("/")[0]
    assert token_digest(raw) == booking.token_digest  # the link is the booking's; only its digest is stored
    assert raw not in OutboxMessage.objects.get(to="vera@example.test").body_text
    ((filename, content, mimetype),) = to_booker[0].attachments
    assert (filename, mimetype) == ("invite.ics", "text/calendar")
    ics = ics_parse(content)
    assert ics.method == "REQUEST"
    assert ics.props["DTSTART"] == "DTSTART:20261208T150000Z"
    assert ics.props["DTEND"] == "DTEND:20261208T153000Z"
    assert ics.props["UID"].startswith(f"UID:booking-{booking.pk}@")
    assert "Alpha Admin" in ics.props["SUMMARY"]
    assert ics.props["ORGANIZER"].endswith("mailto:admin@alpha.test")

    to_staff = [m for m in mail.outbox if m.to == ["admin@alpha.test"] and m.attachments]
    assert len(to_staff) == 1
    assert "Vera Visitor" in to_staff[0].subject
    assert ics_parse(to_staff[0].attachments[0][1]).props["UID"] == ics.props["UID"]
    notification = Notification.objects.get(recipient=bookable.admin, kind=EventKind.BOOKING_MADE)
    assert "Vera Visitor" in notification.title
    assert notification.url == reverse("booking_list", args=[bookable.org.slug])


def test_a_booker_with_only_a_mobile_gets_the_link_by_sms(client, bookable, deliver, fake_twilio):
    with deliver():
        response = _post(client, bookable, at(8, 10), email="", phone="+52 55 1234 5678")
    assert response.status_code == 200
    booking = Booking.objects.get()
    sms = fake_twilio.last_body("+525512345678")
    assert "/booking/" in sms
    raw = sms.split("/booking/", 1)[1].split("/")[0]
    assert token_digest(raw) == booking.token_digest
    assert not [m for m in mail.outbox if "+525512345678" in m.to]


def test_a_person_can_be_chosen(client, bookable):
    response = _post(client, bookable, at(8, 10), staff=str(bookable.admin.pk))
    assert response.status_code == 200
    assert Booking.objects.get().staff == bookable.admin


def test_a_time_that_is_not_free_is_refused_and_nothing_is_made(client, bookable):
    book(bookable, at(8, 10))
    response = _post(client, bookable, at(8, 10), email="other@example.test")
    assert response.status_code == 409
    assert "That time was just taken; choose another." in response.content.decode()
    assert Booking.objects.count() == 1 and Lead.objects.count() == 1
    outside = _post(client, bookable, at(8, 13), email="other@example.test")  # outside the window
    assert outside.status_code == 409
    assert Booking.objects.count() == 1 and Lead.objects.count() == 1


def test_a_missing_contact_is_a_clear_error(client, bookable):
    response = _post(client, bookable, at(8, 10), email="", phone="")
    assert response.status_code == 200
    assert "Enter an email address or a mobile number." in response.content.decode()
    assert not Booking.objects.exists() and not Lead.objects.exists()


@pytest.mark.parametrize(
    "spoil",
    [
        {HONEYPOT_FIELD: "https://spam.example"},
        {TOKEN_FIELD: ""},
        {TOKEN_FIELD: "forged-token"},
    ],
    ids=["honeypot", "no token", "forged token"],
)
def test_bots_get_the_normal_answer_and_nothing_is_made(client, bookable, spoil):
    response = _post(client, bookable, at(8, 10), **spoil)
    assert response.status_code == 200
    assert "you are booked" in response.content.decode()
    assert not Booking.objects.exists() and not Lead.objects.exists() and not OutboxMessage.objects.exists()


def test_another_organizations_token_is_a_bot(client, bookable, org_b):
    response = _post(client, bookable, at(8, 10), **{TOKEN_FIELD: form_token_new(org_b.org)})
    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_a_form_sent_back_faster_than_a_person_types_makes_nothing(client, bookable, settings, clock):
    settings.PORTICO_PUBLIC_FORM_MIN_SECONDS = 3
    data_token = form_token_new(bookable.org)
    assert _post(client, bookable, at(8, 10), **{TOKEN_FIELD: data_token}).status_code == 200
    assert not Booking.objects.exists()
    clock.shift(5)
    assert _post(client, bookable, at(8, 10), **{TOKEN_FIELD: data_token}).status_code == 200
    assert Booking.objects.count() == 1


def test_too_many_posts_from_one_address_get_429(client, bookable, settings):
    settings.PORTICO_PUBLIC_FORM_RATE_PER_IP = 2
    _post(client, bookable, at(8, 10))
    _post(client, bookable, at(8, 11), email="b@example.test")
    response = _post(client, bookable, at(8, 11, 30), email="c@example.test")
    assert response.status_code == 429
    assert Booking.objects.count() == 2


def test_booking_off_shows_a_closed_page_and_takes_nothing(client, bookable):
    from portico.bookings.actions import booking_settings_save
    from portico.core.actors import Actor

    booking_settings_save(
        org=bookable.org, actor=Actor.system(), enabled=False, slot_minutes=30, min_notice_hours=2, horizon_days=30
    )
    assert "not available" in client.get(_url(bookable)).content.decode()
    _post(client, bookable, at(8, 10))
    assert not Booking.objects.exists()


def test_an_unknown_organization_is_404(client, db):
    assert client.get("/w/nobody/book/").status_code == 404


def test_another_organizations_staff_cannot_be_chosen(client, bookable, org_b):
    response = _post(client, bookable, at(8, 10), staff=str(org_b.admin.pk))
    # Not one of the organization's people: the choice falls back to anyone available.
    assert response.status_code == 200
    assert Booking.objects.get().staff == bookable.admin


def test_the_page_and_utm_parameters_the_embed_script_passes_reach_the_lead(client, bookable):
    query = "utm_source=newsletter&utm_campaign=winter&page=https://alpha.example/offers"
    form = client.get(_url(bookable) + "?" + query).content.decode()
    assert 'name="utm_source" value="newsletter"' in form
    assert 'name="page" value="https://alpha.example/offers"' in form
    _post(client, bookable, at(8, 10), utm_source="newsletter", utm_campaign="winter")
    lead = Lead.objects.get()
    assert lead.utm == {"utm_source": "newsletter", "utm_campaign": "winter"}
