"""The staff list of portal invitations, filterable by state, delivery, channel and period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portico.core.actors import Actor
from portico.invitations import actions
from portico.invitations.models import Delivery, Invitation
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db


def invite_many(world, n, **kwargs):
    portal_set_up(world)
    out = []
    for i in range(n):
        record = client_make(world, f"Person{i} {world.org.slug}", email=f"p{i}@{world.org.slug}.example")
        out.append(actions.invitation_send(client=record, actor=Actor.system(), **kwargs))
    return out


def test_lists_with_a_fixed_number_of_queries(client, org_a, django_assert_num_queries):
    client.force_login(org_a.admin)
    url = reverse("invitation_list", args=["alpha"])
    invite_many(org_a, 1)
    client.get(url)
    with django_assert_num_queries(4) as one:
        client.get(url)
    invite_many(org_a, 9)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("p1@alpha.example") == 1


def test_bounced_this_week(client, org_a):
    invitations = invite_many(org_a, 3)
    bounced = invitations[0]
    actions.invitation_delivery_record(message=bounced.last_message, kind=Delivery.BOUNCED, at=timezone.now())
    with time_machine.travel(timezone.now() - dt.timedelta(days=20)):
        old = actions.invitation_send(
            client=client_make(org_a, "Old Timer", email="old@alpha.example"), actor=Actor.system()
        )
    actions.invitation_delivery_record(message=old.last_message, kind=Delivery.BOUNCED, at=timezone.now())
    client.force_login(org_a.admin)
    page = client.get(
        reverse("invitation_list", args=["alpha"]), {"delivery": "bounced", "period": "week"}
    ).content.decode()
    assert "p0@alpha.example" in page and "old@alpha.example" not in page and "p1@alpha.example" not in page
    assert "1 invitation" in page


def test_expired_filter_and_other_organization_invisible(client, org_a, org_b):
    invite_many(org_a, 2)
    invite_many(org_b, 1)
    Invitation.objects.filter(address="p0@alpha.example").update(expires_at=timezone.now())
    client.force_login(org_a.admin)
    url = reverse("invitation_list", args=["alpha"])
    page = client.get(url, {"state": "expired"}).content.decode()
    assert "p0@alpha.example" in page and "p1@alpha.example" not in page
    assert "beta.example" not in client.get(url).content.decode()
    client.force_login(org_b.admin)
    assert client.get(url).status_code == 404


def test_empty_state(client, org_a):
    portal_set_up(org_a)
    client.force_login(org_a.readonly)
    page = client.get(reverse("invitation_list", args=["alpha"])).content.decode()
    assert "No invitations yet" in page
