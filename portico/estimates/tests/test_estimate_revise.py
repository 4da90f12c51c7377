"""Revising: a sent (declined, expired) estimate is never edited; a new draft version with the
same number and copied lines supersedes it; the old version can no longer be approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.estimates.actions import estimate_approve, estimate_revise
from portico.estimates.models import EstimateState
from portico.estimates.tests.factories import client_actor, estimate_make, joined, staff
from testing.requests import png_upload

pytestmark = pytest.mark.django_db


def test_revise_makes_a_new_draft_version_and_supersedes_the_sent_one(org_a):
    old = estimate_make(org_a, n_lines=3, sent=True, scope="Roof", files=[png_upload()])
    new = estimate_revise(estimate=old, actor=staff(org_a))
    old.refresh_from_db()
    assert old.state == EstimateState.SUPERSEDED
    assert (new.number, new.version, new.state, new.supersedes_id) == (old.number, 2, EstimateState.DRAFT, old.pk)
    assert [(line.description, line.quantity, line.unit_price) for line in new.lines.all()] == [
        (line.description, line.quantity, line.unit_price) for line in old.lines.all()
    ]
    assert new.scope == "Roof" and new.total == old.total and new.content_hash == ""
    assert [a.name for a in new.attachments.all()] == [a.name for a in old.attachments.all()]
    assert AuditEvent.objects.filter(action=AuditAction.ESTIMATE_REVISED, detail__supersedes=old.pk).count() == 1


def test_a_draft_and_an_approved_estimate_are_not_revised(org_a):
    record, person = joined(org_a)
    with pytest.raises(PorticoError):
        estimate_revise(estimate=estimate_make(org_a, client=record), actor=staff(org_a))
    approved = estimate_make(org_a, client=record, sent=True)
    estimate_approve(estimate=approved, actor=client_actor(person), content_hash=approved.content_hash)
    with pytest.raises(PorticoError) as refused:
        estimate_revise(estimate=approved, actor=staff(org_a))
    assert refused.value.code == "invalid_transition"


def test_revise_from_the_page_opens_the_new_draft(client, org_a):
    old = estimate_make(org_a, sent=True)
    client.force_login(org_a.admin)
    detail = client.get(reverse("estimate_detail", args=[org_a.org.slug, old.pk])).content.decode()
    assert 'id="revise-estimate"' in detail and 'id="send-estimate"' not in detail
    response = client.post(reverse("estimate_revise", args=[org_a.org.slug, old.pk]))
    old.refresh_from_db()
    new = old.superseded_by
    assert response.status_code == 302 and response["Location"] == reverse(
        "estimate_edit", args=[org_a.org.slug, new.pk]
    )
    versions = client.get(reverse("estimate_detail", args=[org_a.org.slug, new.pk])).content.decode()
    assert "v1" in versions and "v2" in versions
