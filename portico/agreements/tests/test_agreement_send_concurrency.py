"""Two agreements sent to one client at the same moment (threads, each its own connection, on
PostgreSQL): both sends succeed, one after the other; the later supersedes the earlier, so one
agreement waits for the signature and the other is voided, superseded by it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from portico.agreements.actions import agreement_send
from portico.agreements.models import Agreement, AgreementState
from portico.agreements.tests.factories import agreement_draft_make
from portico.estimates.tests.factories import staff
from testing.world import client_make

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs real concurrent connections")


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_leave_one_sent_and_one_superseded():
    from testing.world import world_create

    world = world_create("race")
    record = client_make(world, "Race Client", email="race@example.test")
    drafts = [agreement_draft_make(world, client=record) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(agreement: Agreement) -> None:
        try:
            barrier.wait()
            agreement_send(agreement=Agreement.objects.get(pk=agreement.pk), actor=staff(world))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    rows = {a.state: a for a in Agreement.objects.filter(client=record)}
    assert set(rows) == {AgreementState.SENT, AgreementState.VOIDED}
    assert rows[AgreementState.VOIDED].superseded_by == rows[AgreementState.SENT]
