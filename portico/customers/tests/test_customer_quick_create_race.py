"""Two people creating a customer with the same RFC at the same moment make exactly one: each quick
create takes the organization's CustomerSettings row lock before the duplicate check, so the
second one waits, then sees the first one's customer and is refused with a link to it. Two
threads, each its own PostgreSQL connection, released together by a barrier; repeated."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from portico.core.errors import PorticoError
from portico.customers.actions import customer_quick_create
from portico.customers.models import Customer
from portico.customers.tests.factories import company_rfc, staff

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs real concurrent connections")

ROUNDS = 5


def _together(*calls: Callable[[], object]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_the_same_rfc_at_the_same_moment_makes_one_customer():
    from testing.world import world_create

    world = world_create("race")
    for _ in range(ROUNDS):
        tax_id = company_rfc()

        def create(name: str, tax_id: str = tax_id) -> object:
            return customer_quick_create(
                org=world.org, actor=staff(world), legal_name=name, trade_name=name, tax_id=tax_id
            )

        _results, errors = _together(lambda: create("Primera SA"), lambda: create("Segunda SA"))
        assert Customer.objects.filter(org=world.org, client__tax_id=tax_id).count() == 1
        assert len(errors) == 1 and isinstance(errors[0], PorticoError), errors
        assert errors[0].code == "duplicate_tax_id"
