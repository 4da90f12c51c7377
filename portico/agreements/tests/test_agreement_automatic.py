"""An approved estimate gets its agreement at once when the organization has a default
template: made and sent by the system, never twice for one estimate; a revised estimate approved
later gets a new one that supersedes the unsigned old one."""

from __future__ import annotations

import pytest

from portico.agreements.actions import agreement_auto_for_estimate
from portico.agreements.models import Agreement, AgreementState
from portico.agreements.tests.factories import approved_estimate_make, template_make
from portico.core.actors import Actor
from portico.estimates.actions import estimate_approve, estimate_revise, estimate_send
from portico.estimates.models import EstimateState
from portico.estimates.tests.factories import client_actor, estimate_make, joined, staff

pytestmark = pytest.mark.django_db


def test_approval_makes_and_sends_the_agreement(org_a):
    template_make(org_a, default=True, body="<p>{{ client.name }}: {{ estimate.total }}</p>")
    record, person = joined(org_a)
    estimate = approved_estimate_make(org_a, record, person)
    agreement = Agreement.objects.get(estimate=estimate)
    assert agreement.state == AgreementState.SENT and agreement.document_hash
    assert agreement.created_by is None  # the system made it
    assert record.name in agreement.body


def test_no_default_template_no_agreement(org_a):
    template_make(org_a, default=False)
    record, person = joined(org_a)
    approved_estimate_make(org_a, record, person)
    assert not Agreement.objects.filter(client=record).exists()


def test_a_second_tap_or_a_repeat_makes_no_second_agreement(org_a):
    template_make(org_a, default=True)
    record, person = joined(org_a)
    estimate = approved_estimate_make(org_a, record, person)
    estimate_approve(estimate=estimate, actor=client_actor(person), content_hash=estimate.content_hash)
    assert agreement_auto_for_estimate(estimate=estimate, actor=Actor.system()) is None
    assert Agreement.objects.filter(estimate=estimate).count() == 1


def test_an_estimate_approved_later_supersedes_the_unsigned_agreement(org_a):
    template_make(org_a, default=True)
    record, person = joined(org_a)
    first = estimate_make(org_a, client=record, sent=True)
    # A revision (a new version: another estimate row) sent and then approved.
    revision = estimate_revise(estimate=first, actor=staff(org_a))
    estimate_send(estimate=revision, actor=staff(org_a))
    other = approved_estimate_make(org_a, record, person)  # approved first: its agreement waits unsigned
    old_agreement = Agreement.objects.get(estimate=other)
    estimate_approve(estimate=revision, actor=client_actor(person), content_hash=revision.content_hash)
    revision.refresh_from_db()
    assert revision.state == EstimateState.APPROVED
    new_agreement = Agreement.objects.get(estimate=revision)
    old_agreement.refresh_from_db()
    assert old_agreement.state == AgreementState.VOIDED and old_agreement.superseded_by == new_agreement
    assert new_agreement.state == AgreementState.SENT
    assert Agreement.objects.filter(client=record).count() == 2
