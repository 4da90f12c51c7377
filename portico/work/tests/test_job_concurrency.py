"""The signature and Stripe's webhook arriving at the same moment make exactly one job (issue 13):
two threads, each its own database connection on PostgreSQL, released together by a barrier, one
signing the agreement and the other activating the payment method, each in its own transaction
as the real actions do. ``journey_refresh`` locks the journey row and derives the progress after
taking the lock, so only the later of the two sees the journey complete. Repeated, with new
clients each time. And the constraint behind it: two direct calls at once still make one job."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, connections

from portico.core.actors import Actor
from portico.journey.models import COMPLETE, Journey
from portico.work.actions import job_create_for_onboarding
from portico.work.models import Job
from portico.work.tests.factories import agreement_sign, onboarding_client, payment_method_activate

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs real concurrent connections")

ROUNDS = 6


def _together(*calls: Callable[[], object]) -> list[object]:
    """Run ``calls`` at once in threads (a barrier releases them together); their results in order."""
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
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_signature_and_webhook_at_the_same_moment_make_exactly_one_job():
    from testing.world import world_create

    world = world_create("race")
    for _ in range(ROUNDS):
        client, _estimate, agreement, method = onboarding_client(world)
        _together(partial(agreement_sign, agreement), partial(payment_method_activate, method))
        assert Journey.objects.get(client=client).current_step == COMPLETE
        job = Job.objects.get(client=client)
        assert (job.agreement_id, job.payment_method_id) == (agreement.pk, method.pk)
    numbers = sorted(Job.objects.filter(org=world.org).values_list("number", flat=True))
    assert numbers == list(range(1, ROUNDS + 1))


@pytest.mark.django_db(transaction=True)
def test_two_direct_calls_at_once_make_one_job_and_both_get_it():
    from testing.world import world_create

    world = world_create("twice")
    client, _estimate, _agreement, _method = onboarding_client(world)
    # Journey row not involved: the counter lock and the partial unique constraint decide.
    results = _together(
        lambda: job_create_for_onboarding(client=client, actor=Actor.system()),
        lambda: job_create_for_onboarding(client=client, actor=Actor.system()),
    )
    assert Job.objects.filter(client=client).count() == 1
    assert {job.pk for job in results} == {Job.objects.get(client=client).pk}  # type: ignore[attr-defined]
