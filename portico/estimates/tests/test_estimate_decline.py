"""The client declines the version they saw, with an optional reason; navigators are told."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.estimates.models import EstimateState
from portico.estimates.tests.factories import estimate_make, joined
from portico.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_decline_with_a_reason(client, org_a):
    record, person = joined(org_a)
    client_assign_navigator(client=record, actor=Actor.system(), navigator=org_a.admin)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    url = reverse("portal_estimate_decline", args=[org_a.org.slug, estimate.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"hash": estimate.content_hash, "reason": "Too expensive"})
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.DECLINED and estimate.decline_reason == "Too expensive"
    note = Notification.objects.get(recipient=org_a.admin, kind="estimate_declined")
    assert "Too expensive" in note.body
    # a second tap changes nothing; approving now is refused
    assert client.post(url, {"hash": estimate.content_hash}).status_code == 302
    assert Notification.objects.filter(kind="estimate_declined").count() == 1
    refused = client.post(
        reverse("portal_estimate_approve", args=[org_a.org.slug, estimate.pk]), {"hash": estimate.content_hash}
    )
    assert refused.status_code == 302
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.DECLINED


def test_decline_without_a_reason_and_with_a_wrong_hash(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    url = reverse("portal_estimate_decline", args=[org_a.org.slug, estimate.pk])
    client.post(url, {"hash": "f" * 64})
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.SENT
    client.post(url, {"hash": estimate.content_hash})
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.DECLINED and estimate.decline_reason == ""
