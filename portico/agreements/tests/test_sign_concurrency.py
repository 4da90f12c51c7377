"""A double tap at the same instant (threads, each its own PostgreSQL connection) makes exactly
one signature: the others wait on the agreement's lock and are told it is already signed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from portico.agreements.models import AgreementEvent, AgreementSignature, AgreementState
from portico.agreements.tests.signing_helpers import consent, sent_for, sign
from portico.core.errors import PorticoError

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs real concurrent connections")

TAPS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_signatures_of_one_agreement_make_exactly_one():
    from testing.world import world_create

    world = world_create("signrace")
    agreement, person = sent_for(world)
    consent(world, person, agreement)
    barrier = threading.Barrier(TAPS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def tap(n: int) -> None:
        try:
            mine = type(agreement).objects.get(pk=agreement.pk)  # each tap read the page before any signed
            barrier.wait()
            try:
                sign(mine, person, name_typed=f"Mark Client {n}")
                outcome = "signed"
            except PorticoError as exc:
                outcome = exc.code
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(TAPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors[:3]
    assert outcomes.count("signed") == 1 and outcomes.count("already_signed") == TAPS - 1
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    assert AgreementSignature.objects.filter(agreement=agreement).count() == 1
    assert AgreementEvent.objects.filter(agreement=agreement, kind="signed").count() == 1
