"""Valid-until dates are the organization's local dates: sending, revising, approving and the
expiry sweep read "today" in the organization's time zone, not the server's (UTC here)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from portico.core.errors import PorticoError
from portico.estimates.actions import estimate_approve, estimate_revise, estimate_send
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.tests.factories import estimate_make, joined, staff
from portico.orgs.models import Organization

pytestmark = pytest.mark.django_db

# 03:00 UTC on 11 March: already noon of the 11th in Tokyo, still the evening of the 10th in Mexico City.
MOMENT = dt.datetime(2026, 3, 11, 3, 0, tzinfo=dt.UTC)
TENTH = dt.date(2026, 3, 10)


@pytest.fixture
def zoned(org_a, org_b):
    Organization.objects.filter(pk=org_a.org.pk).update(time_zone="Asia/Tokyo")
    Organization.objects.filter(pk=org_b.org.pk).update(time_zone="America/Mexico_City")
    org_a.org.time_zone, org_b.org.time_zone = "Asia/Tokyo", "America/Mexico_City"
    with time_machine.travel(MOMENT, tick=False):
        yield org_a, org_b


def _sent_until(world, day, **kwargs):
    estimate = estimate_make(world, sent=True, valid_until=dt.date(2026, 12, 31), **kwargs)
    Estimate.objects.filter(pk=estimate.pk).update(valid_until=day)
    return Estimate.objects.get(pk=estimate.pk)


def test_the_sweep_expires_by_each_organizations_local_date(zoned):
    tokyo, mexico = zoned
    past_in_tokyo = _sent_until(tokyo, TENTH)
    still_valid_in_mexico = _sent_until(mexico, TENTH)
    past_in_mexico = _sent_until(mexico, TENTH - dt.timedelta(days=1))
    call_command("sweep")
    states = dict(Estimate.objects.values_list("pk", "state"))
    assert states[past_in_tokyo.pk] == EstimateState.EXPIRED
    assert states[past_in_mexico.pk] == EstimateState.EXPIRED
    assert states[still_valid_in_mexico.pk] == EstimateState.SENT


def test_send_refuses_a_date_passed_locally_and_accepts_one_still_today(zoned):
    tokyo, mexico = zoned
    in_tokyo = estimate_make(tokyo, valid_until=TENTH)
    with pytest.raises(PorticoError) as refused:
        estimate_send(estimate=in_tokyo, actor=staff(tokyo))
    assert refused.value.code == "invalid"
    in_mexico = estimate_make(mexico, valid_until=TENTH)
    estimate_send(estimate=in_mexico, actor=staff(mexico))
    assert Estimate.objects.get(pk=in_mexico.pk).state == EstimateState.SENT


def test_revise_keeps_a_date_that_is_still_today_locally(zoned):
    tokyo, mexico = zoned
    mexico_new = estimate_revise(estimate=_sent_until(mexico, TENTH), actor=staff(mexico))
    tokyo_new = estimate_revise(estimate=_sent_until(tokyo, TENTH), actor=staff(tokyo))
    assert (mexico_new.valid_until, tokyo_new.valid_until) == (TENTH, None)


def test_approval_reads_the_organizations_date(zoned):
    tokyo, mexico = zoned
    record, _ = joined(mexico)
    estimate = _sent_until(mexico, TENTH, client=record)
    approved = estimate_approve(estimate=estimate, actor=staff(mexico), content_hash=estimate.content_hash)
    assert approved.state == EstimateState.APPROVED
    record_t, _ = joined(tokyo, "Tokyo Client", "tokyo@example.test")
    late = _sent_until(tokyo, TENTH, client=record_t)
    with pytest.raises(PorticoError) as refused:
        estimate_approve(estimate=late, actor=staff(tokyo), content_hash=late.content_hash)
    assert refused.value.code == "expired"
