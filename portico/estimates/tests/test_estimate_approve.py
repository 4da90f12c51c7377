"""The client's one-tap approval in the portal: a confirm step with the total, then a POST naming
the estimate's id and content hash. Audited with the client's IP and user agent, navigators told,
idempotent (a double tap is one approval), and refused for another version or a wrong hash."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.clients.actions import client_assign_navigator
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.estimates.actions import estimate_approve, estimate_revise, estimate_send
from portico.estimates.models import Estimate, EstimateState
from portico.estimates.tests.factories import client_actor, estimate_make, joined, staff
from portico.estimates.totals import money_text
from portico.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _url(name, world, estimate):
    return reverse(name, args=[world.org.slug, estimate.pk])


def _approvals(estimate):
    return AuditEvent.objects.filter(
        action=AuditAction.ESTIMATE_STATE_CHANGED, detail__estimate=estimate.pk, detail__action="approve"
    )


def test_confirm_then_approve_audited_with_ip_and_user_agent(client, org_a):
    record, person = joined(org_a)
    client_assign_navigator(client=record, actor=Actor.system(), navigator=org_a.admin)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    detail = client.get(_url("portal_estimate_detail", org_a, estimate)).content.decode()
    assert 'id="approve"' in detail
    confirm = client.get(_url("portal_estimate_approve", org_a, estimate)).content.decode()
    assert money_text(estimate.total, estimate.currency) in confirm and estimate.content_hash in confirm
    response = client.post(
        _url("portal_estimate_approve", org_a, estimate),
        {"hash": estimate.content_hash},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Phone/1.0",
    )
    assert response.status_code == 302
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.APPROVED and estimate.decided_at is not None
    row = _approvals(estimate).get()
    assert (row.ip, row.user_agent, row.actor_kind, row.actor_user_id) == (
        "203.0.113.9",
        "Phone/1.0",
        "client",
        person.pk,
    )
    assert row.detail["hash"] == estimate.content_hash
    assert Notification.objects.filter(recipient=org_a.admin, kind="estimate_approved").count() == 1
    # On to the client's next step; the estimate's page shows it approved.
    assert response["Location"] == reverse("portal_continue", args=[org_a.org.slug])
    assert "you approved estimate" in client.get(response["Location"], follow=True).content.decode()
    page = client.get(_url("portal_estimate_detail", org_a, estimate)).content.decode()
    assert 'id="estimate-approved"' in page and 'id="approve"' not in page


def test_a_double_tap_is_one_approval(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    url = _url("portal_estimate_approve", org_a, estimate)
    first = client.post(url, {"hash": estimate.content_hash})
    second = client.post(url, {"hash": estimate.content_hash})
    assert first.status_code == second.status_code == 302
    assert "X-Portico-Refusal" not in second
    assert _approvals(estimate).count() == 1
    assert 'id="estimate-approved"' in client.get(_url("portal_estimate_detail", org_a, estimate)).content.decode()
    estimate_approve(estimate=estimate, actor=client_actor(person), content_hash=estimate.content_hash)
    assert _approvals(estimate).count() == 1


def test_a_wrong_hash_is_refused_with_a_clear_message(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    response = client.post(_url("portal_estimate_approve", org_a, estimate), {"hash": "0" * 64}, follow=True)
    assert "not the one you were shown" in response.content.decode()
    estimate.refresh_from_db()
    assert estimate.state == EstimateState.SENT and not _approvals(estimate).exists()
    with pytest.raises(PorticoError) as refused:
        estimate_approve(estimate=estimate, actor=client_actor(person), content_hash="")
    assert refused.value.code == "changed"


def test_a_superseded_version_is_not_approved(client, org_a):
    record, person = joined(org_a)
    old = estimate_make(org_a, client=record, sent=True)
    new = estimate_revise(estimate=old, actor=staff(org_a))
    estimate_send(estimate=new, actor=staff(org_a))
    client.force_login(person)
    response = client.post(_url("portal_estimate_approve", org_a, old), {"hash": old.content_hash}, follow=True)
    assert "replaced by a newer one" in response.content.decode()
    old.refresh_from_db()
    assert old.state == EstimateState.SUPERSEDED and not _approvals(old).exists()
    # the old version's page points to the new one; the new one's hash does not approve the old
    page = client.get(_url("portal_estimate_detail", org_a, old)).content.decode()
    assert _url("portal_estimate_detail", org_a, new) in page
    new.refresh_from_db()
    with pytest.raises(PorticoError):
        estimate_approve(estimate=old, actor=client_actor(person), content_hash=new.content_hash)
    estimate_approve(estimate=new, actor=client_actor(person), content_hash=new.content_hash)
    assert Estimate.objects.get(pk=new.pk).state == EstimateState.APPROVED


def test_another_persons_estimate_is_404_and_a_draft_is_invisible(client, org_a, org_b):
    record, person = joined(org_a)
    _other_record, _other = joined(org_a, "Other Client", "other@example.test")
    theirs = estimate_make(org_a, client=_other_record, sent=True)
    draft = estimate_make(org_a, client=record)
    _b_record, _b_person = joined(org_b, "Bea Client", "bea@example.test")
    other_org = estimate_make(org_b, client=_b_record, sent=True)
    client.force_login(person)
    for name in ("portal_estimate_detail", "portal_estimate_approve", "portal_estimate_decline", "portal_estimate_pdf"):
        assert client.get(_url(name, org_a, theirs)).status_code == 404
        assert client.get(_url(name, org_a, draft)).status_code == 404
        assert client.get(reverse(name, args=[org_a.org.slug, other_org.pk])).status_code == 404
    assert client.post(_url("portal_estimate_approve", org_a, theirs), {"hash": theirs.content_hash}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == EstimateState.SENT
    # and not in another organization's portal, where this person has no account
    assert client.get(reverse("portal_estimate_detail", args=[org_b.org.slug, other_org.pk])).status_code == 404


def test_an_estimate_past_its_date_is_not_approved_before_the_sweep(org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    Estimate.objects.filter(pk=estimate.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(PorticoError) as refused:
        estimate_approve(
            estimate=Estimate.objects.get(pk=estimate.pk),
            actor=client_actor(person),
            content_hash=estimate.content_hash,
        )
    assert refused.value.code == "expired"
    assert Estimate.objects.get(pk=estimate.pk).state == EstimateState.SENT
