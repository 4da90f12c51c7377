"""Two people never book the same slot, even at the same moment: 50 visitors post the same slot
at once through the widget (threads, each its own database connection) on PostgreSQL; exactly
one booking and one lead are made, and every other visitor is told the time was just taken."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.urls import reverse

from portico.bookings.models import Booking, BookingState
from portico.bookings.tests.conftest import bookable_setup
from portico.leads.models import Lead
from portico.leads.public import TOKEN_FIELD, form_token_new

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs real concurrent connections")

VISITORS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookings_of_one_slot_make_exactly_one(settings):
    from testing.world import world_create

    settings.PORTICO_PUBLIC_FORM_MIN_SECONDS = 0
    settings.PORTICO_PUBLIC_FORM_RATE_PER_IP = 1000
    settings.PORTICO_PUBLIC_FORM_RATE_PER_ORG = 1000
    world = world_create("race")
    bookable_setup(world, zone="UTC")
    # Tomorrow (or the next weekday) at 10:00 UTC: inside the 9–12 window, beyond the notice.
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    url = reverse("booking_widget", args=[world.org.slug])
    token = form_token_new(world.org)
    barrier = threading.Barrier(VISITORS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def visit(n: int) -> None:
        try:
            client = Client()
            data = {
                TOKEN_FIELD: token,
                "start": start.isoformat(),
                "staff": str(world.admin.pk),
                "name": f"Visitor {n}",
                "email": f"v{n}@example.test",
            }
            barrier.wait()
            response = client.post(url, data)
            with lock:
                statuses.append(response.status_code)
                if response.status_code == 409:
                    assert "That time was just taken; choose another." in response.content.decode()
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(VISITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors[:3]
    assert sorted(set(statuses)) == [200, 409]
    assert statuses.count(200) == 1 and statuses.count(409) == VISITORS - 1
    assert Booking.objects.filter(org=world.org).count() == 1
    booking = Booking.objects.get(org=world.org)
    assert Lead.objects.filter(org=world.org).count() == 1
    assert booking.lead == Lead.objects.get(org=world.org)


@pytest.mark.django_db
def test_postgresql_also_refuses_overlapping_bookings_of_different_lengths(org_a):
    """The exclusion constraint (migration 0002): a 60-minute booking at 10:00 and a 30-minute
    one at 10:30 overlap, though their starts differ (which the unique index alone allows)."""
    start = dt.datetime(2030, 1, 7, 10, tzinfo=dt.UTC)
    Booking.objects.create(
        org=org_a.org, staff=org_a.admin, start=start, end=start + dt.timedelta(minutes=60), name="A"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            org=org_a.org,
            staff=org_a.admin,
            start=start + dt.timedelta(minutes=30),
            end=start + dt.timedelta(minutes=60),
            name="B",
        )
    # A cancelled booking holds nothing; another person is another calendar.
    Booking.objects.filter(name="A").update(state=BookingState.CANCELLED)
    Booking.objects.create(
        org=org_a.org,
        staff=org_a.admin,
        start=start + dt.timedelta(minutes=30),
        end=start + dt.timedelta(minutes=60),
        name="C",
    )
    Booking.objects.create(
        org=org_a.org, staff=org_a.readonly, start=start, end=start + dt.timedelta(minutes=60), name="D"
    )
