"""Settings → SAT 69-B screening: customers.manage sees the policy, org.settings changes it."""

from __future__ import annotations

from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.customers.models import DEFAULT_SCREENING_POLICY, ScreeningAction
from portico.customers.screening import screening_policy
from portico.orgs.actions import membership_add
from portico.sat69b.models import Situation
from testing.world import user_create

ALL_BLOCK = {s: ScreeningAction.BLOCK for s in Situation.values}


def test_an_admin_changes_the_policy_of_their_organization_only(client, org_a, org_b):
    client.force_login(org_a.admin)
    url = reverse("customer_screening_settings", args=[org_a.org.slug])
    page = client.get(url).content.decode()
    assert 'value="block"' in page and "Sentencia favorable" in page
    response = client.post(url, ALL_BLOCK)
    assert response.status_code == 302
    assert screening_policy(org=org_a.org) == ALL_BLOCK
    assert screening_policy(org=org_b.org) == DEFAULT_SCREENING_POLICY
    event = AuditEvent.objects.get(action=AuditAction.CUSTOMER_SCREENING_POLICY_CHANGED)
    assert event.org_id == org_a.org.pk
    assert set(event.detail["changed"]) == {"presunto", "desvirtuado", "sentencia_favorable"}


def test_saving_the_same_policy_writes_no_audit_row(client, org_a):
    client.force_login(org_a.admin)
    client.post(reverse("customer_screening_settings", args=[org_a.org.slug]), dict(DEFAULT_SCREENING_POLICY))
    assert not AuditEvent.objects.filter(action=AuditAction.CUSTOMER_SCREENING_POLICY_CHANGED).exists()


def test_an_invalid_choice_changes_nothing(client, org_a):
    client.force_login(org_a.admin)
    response = client.post(
        reverse("customer_screening_settings", args=[org_a.org.slug]), {**ALL_BLOCK, "presunto": "x"}
    )
    assert response.status_code == 200
    assert screening_policy(org=org_a.org) == DEFAULT_SCREENING_POLICY


def test_sales_staff_see_the_policy_but_cannot_change_it(client, org_a):
    seller = user_create("seller@alpha.test")
    membership_add(org=org_a.org, user=seller, role=org_a.roles["Sales"], actor=Actor.system())
    client.force_login(seller)
    url = reverse("customer_screening_settings", args=[org_a.org.slug])
    page = client.get(url).content.decode()
    assert " disabled>" in page and "Only staff who may change" in page
    response = client.post(url, ALL_BLOCK)
    assert response.status_code == 403 and b"org.settings" in response.content
    assert screening_policy(org=org_a.org) == DEFAULT_SCREENING_POLICY
