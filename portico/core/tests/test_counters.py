"""The per-organization running number (estimates, agreements and jobs share it)."""

from __future__ import annotations

from django.db import transaction

from portico.core.counters import counter_advance, counter_lock, counter_next
from portico.estimates.models import EstimateCounter
from portico.work.models import JobCounter


def test_first_use_makes_the_row_and_numbers_follow_per_organization(org_a, org_b):
    assert not EstimateCounter.objects.filter(org_id=org_a.org.pk).exists()
    assert counter_next(EstimateCounter, org_id=org_a.org.pk) == 1
    assert counter_next(EstimateCounter, org_id=org_a.org.pk) == 2
    assert counter_next(EstimateCounter, org_id=org_b.org.pk) == 1
    assert counter_next(JobCounter, org_id=org_a.org.pk) == 1  # each model counts by itself
    assert EstimateCounter.objects.get(org_id=org_a.org.pk).last_number == 2


def test_a_rolled_back_number_is_given_back(org_a):
    counter_next(EstimateCounter, org_id=org_a.org.pk)
    try:
        with transaction.atomic():
            assert counter_next(EstimateCounter, org_id=org_a.org.pk) == 2
            raise RuntimeError
    except RuntimeError:
        pass
    assert counter_next(EstimateCounter, org_id=org_a.org.pk) == 2


def test_lock_then_advance_takes_one_number(org_a):
    counter = counter_lock(JobCounter, org_id=org_a.org.pk)
    assert counter.last_number == 0
    assert counter_advance(counter) == 1
    assert counter_lock(JobCounter, org_id=org_a.org.pk).last_number == 1
