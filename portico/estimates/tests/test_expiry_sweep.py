"""The expiry sweep (``manage.py sweep``): sent estimates past their valid-until date expire,
each audited and announced (``estimate_changed``); drafts and valid ones are left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.signals import estimate_changed
from portico.estimates.tests.factories import estimate_make

pytestmark = pytest.mark.django_db


def test_the_sweep_expires_sent_estimates_past_their_date(org_a, org_b):
    today = timezone.localdate()
    due_a = estimate_make(org_a, sent=True, valid_until=today + dt.timedelta(days=3))
    due_b = estimate_make(org_b, sent=True, valid_until=today + dt.timedelta(days=3))
    valid = estimate_make(org_a, sent=True, valid_until=today)
    draft = estimate_make(org_a, valid_until=today + dt.timedelta(days=3))
    # three days later
    Estimate.objects.filter(pk__in=[due_a.pk, due_b.pk, draft.pk]).update(valid_until=today - dt.timedelta(days=1))
    seen = []
    estimate_changed.connect(receiver := lambda sender, estimate, actor, **kw: seen.append(estimate.pk))
    try:
        call_command("sweep")
    finally:
        estimate_changed.disconnect(receiver)
    states = dict(Estimate.objects.values_list("pk", "state"))
    assert states[due_a.pk] == states[due_b.pk] == EstimateState.EXPIRED
    assert states[valid.pk] == EstimateState.SENT and states[draft.pk] == EstimateState.DRAFT
    assert sorted(seen) == sorted([due_a.pk, due_b.pk])
    rows = AuditEvent.objects.filter(action=AuditAction.ESTIMATE_STATE_CHANGED, to_state=EstimateState.EXPIRED)
    assert sorted((r.org_id, r.target_id) for r in rows) == sorted(
        [(org_a.org.pk, str(due_a.client_id)), (org_b.org.pk, str(due_b.client_id))]
    )
    call_command("sweep")  # nothing more to do
    assert rows.count() == 2
