"""Two requests at the same moment (PostgreSQL: each thread its own connection and transaction,
released together by a barrier): a double click on "Connect to FreshBooks" creates ONE FreshBooks
client (the customer row is locked and re-read before FreshBooks is asked), and two refreshes of an
expired token at once refresh once (the connection row is locked; the second reads the rotated
token instead of spending the old one, which FreshBooks would refuse)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.utils import timezone

from portico.core.crypto import secret_open
from portico.core.errors import PorticoError
from portico.customers.models import Customer
from portico.freshbooks.actions import customer_freshbooks_connect, freshbooks_token_fresh
from portico.freshbooks.models import FreshbooksConnection
from portico.freshbooks.tests.factories import connect, customer_make, staff

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs real concurrent connections")

ROUNDS = 3


def _together(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` at once in threads; each one's result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_a_double_click_creates_one_freshbooks_client(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    fake_freshbooks.create_delay = 0.3  # the first click is still inside FreshBooks when the second arrives
    for _ in range(ROUNDS):
        customer = customer_make(org_a)
        clicks = [Customer.objects.get(pk=customer.pk) for _ in range(2)]  # each request read it before either saved
        results = _together(*[lambda c=c: customer_freshbooks_connect(customer=c, actor=staff(org_a)) for c in clicks])
        done = [r for r in results if isinstance(r, Customer)]
        refused = [r for r in results if isinstance(r, PorticoError)]
        assert len(done) == 1 and len(refused) == 1, results
        assert refused[0].code == "already"
        created = [c for c in fake_freshbooks.clients if c["organization"] == customer.client.name]
        assert len(created) == 1
        customer.refresh_from_db()
        assert customer.freshbooks_id == str(created[0]["id"])


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_refresh_once_and_keep_the_rotated_token(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    for _ in range(ROUNDS):
        FreshbooksConnection.objects.filter(org=org_a.org).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        old_refresh = secret_open(FreshbooksConnection.objects.get(org=org_a.org).refresh_token)
        calls = len(fake_freshbooks.calls("token"))
        results = _together(*[lambda: freshbooks_token_fresh(org=org_a.org) for _ in range(2)])
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert len(fake_freshbooks.calls("token")) == calls + 1  # one refresh; the second read its result
        assert results[0].token == results[1].token  # type: ignore[attr-defined]
        stored = FreshbooksConnection.objects.get(org=org_a.org)
        new_refresh = secret_open(stored.refresh_token)
        assert new_refresh != old_refresh and fake_freshbooks.refresh_usable(new_refresh)
