"""The .ics of confirmations: RFC 5545 text escaping, 75-octet line folding, UTC times, the
same UID for a booking's request and cancellation."""

from __future__ import annotations

from portico.bookings.ics import booking_ics
from portico.bookings.tests.conftest import at, book, ics_parse


def test_request_and_cancel_share_the_uid_and_times_are_utc(bookable):
    booking, _raw = book(bookable, at(8, 10))
    request = ics_parse(booking_ics(booking, method="REQUEST", summary="Appointment"))
    cancel = ics_parse(booking_ics(booking, method="CANCEL", summary="Appointment"))
    assert (request.method, cancel.method) == ("REQUEST", "CANCEL")
    assert request.props["UID"] == cancel.props["UID"]
    assert request.props["DTSTART"] == "DTSTART:20261208T150000Z"
    assert request.props["SEQUENCE"] == "SEQUENCE:0" and cancel.props["SEQUENCE"] == "SEQUENCE:1"
    assert request.props["ATTENDEE"].endswith("mailto:vera@example.test")


def test_text_is_escaped_and_long_lines_are_folded(bookable):
    booking, _raw = book(bookable, at(8, 10), name='Ñandú, Peña; "Jr"')
    summary = "Cita con Peña; revisión, impuestos " + "é" * 80
    text = booking_ics(booking, method="REQUEST", summary=summary, description="line one\nline two")
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    parsed = ics_parse(text)
    assert parsed.props["SUMMARY"] == "SUMMARY:" + summary.replace(";", "\\;").replace(",", "\\,")
    assert parsed.props["DESCRIPTION"] == "DESCRIPTION:line one\\nline two"
    assert parsed.props["ATTENDEE"].startswith("ATTENDEE;CN=\"Ñandú, Peña; 'Jr'\"")
