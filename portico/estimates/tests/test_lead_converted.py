"""On ``lead_converted`` (sent by the leads app before the invitation) the lead's estimates move to
the new client, audited, and can then be sent."""

from __future__ import annotations

import pytest

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.estimates.actions import estimate_send, estimates_move_to_client
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.tests.factories import estimate_make, staff
from portico.leads.actions import lead_submit
from portico.leads.models import LeadSource
from portico.leads.signals import lead_converted
from testing.world import client_make

pytestmark = pytest.mark.django_db


def _lead(world, name="Lea Lead"):
    return lead_submit(
        org=world.org, actor=Actor.system(), source=LeadSource.CONTACT_FORM, name=name, email="lea@x.test"
    )


def test_the_leads_estimates_move_to_its_client(org_a):
    lead = _lead(org_a)
    first, second = estimate_make(org_a, lead=lead), estimate_make(org_a, lead=lead)
    other_lead_estimate = estimate_make(org_a, lead=_lead(org_a, "Other Lead"))
    record = client_make(org_a, "Lea Client", email="lea@x.test")
    lead_converted.send(sender=None, lead=lead, client=record, actor=staff(org_a))
    assert set(Estimate.objects.filter(client=record).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Estimate.objects.get(pk=other_lead_estimate.pk).client_id is None
    moved = AuditEvent.objects.filter(action=AuditAction.ESTIMATE_CHANGED, target_id=str(record.pk))
    assert sorted(r.detail["estimate"] for r in moved) == sorted([first.pk, second.pk])
    estimate_send(estimate=Estimate.objects.get(pk=first.pk), actor=staff(org_a))
    assert Estimate.objects.get(pk=first.pk).state == EstimateState.SENT


def test_a_client_of_another_organization_is_refused(org_a, org_b):
    lead = _lead(org_a)
    estimate_make(org_a, lead=lead)
    with pytest.raises(PorticoError):
        estimates_move_to_client(lead=lead, client=client_make(org_b, "Beta Client"), actor=staff(org_a))
    assert not Estimate.objects.filter(client__org=org_b.org).exists()
