"""Marking a lead contacted, disqualifying it (a reason is required) and taking it up again, from
the lead page: each an audited move of the lead machine; a move the table refuses shows its message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition, PorticoError
from portico.core.middleware import REFUSAL_HEADER
from portico.leads.actions import lead_contact, lead_disqualify, lead_requalify

from .conftest import lead_make

pytestmark = pytest.mark.django_db


def _url(name, lead):
    return reverse(name, args=[lead.org.slug, lead.pk])


def test_the_page_shows_where_the_lead_came_from(client, org_a):
    lead = lead_make(
        org_a,
        "Lena Lead",
        phone="+525512345678",
        message="Call me after 5",
        service="Roofing",
        utm={"utm_source": "google"},
        page="https://alpha.example/roofs",
    )
    client.force_login(org_a.admin)
    text = client.get(_url("lead_detail", lead)).content.decode()
    for shown in ("Lena Lead", "+525512345678", "Call me after 5", "Roofing", "utm_source", "google", "Contact form"):
        assert shown in text
    assert 'href="https://alpha.example/roofs" rel="noopener noreferrer nofollow"' in text


def test_contact_disqualify_and_take_up_again(client, org_a):
    lead = lead_make(org_a)
    client.force_login(org_a.admin)
    assert client.post(_url("lead_mark_contacted", lead))["Location"] == _url("lead_detail", lead)
    lead.refresh_from_db()
    assert lead.state == "contacted"
    client.post(_url("lead_disqualify", lead), {"reason": "  Out of   area "})
    lead.refresh_from_db()
    assert (lead.state, lead.disqualify_reason) == ("disqualified", "Out of area")
    assert "Out of area" in client.get(_url("lead_detail", lead)).content.decode()
    client.post(_url("lead_requalify", lead))
    lead.refresh_from_db()
    assert (lead.state, lead.disqualify_reason) == ("new", "")
    moves = list(
        AuditEvent.objects.filter(action=AuditAction.LEAD_STATE_CHANGED)
        .order_by("id")
        .values_list("from_state", "to_state", "actor_user")
    )
    assert moves == [
        ("new", "contacted", org_a.admin.pk),
        ("contacted", "disqualified", org_a.admin.pk),
        ("disqualified", "new", org_a.admin.pk),
    ]


def test_disqualifying_needs_a_reason(client, org_a):
    lead = lead_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(_url("lead_disqualify", lead), {"reason": "  "})
    assert response[REFUSAL_HEADER] == "invalid"
    lead.refresh_from_db()
    assert lead.state == "new"
    assert "Say why the lead is disqualified" in client.get(response["Location"]).content.decode()
    with pytest.raises(PorticoError):
        lead_disqualify(lead=lead, actor=Actor.system(), reason="")


def test_a_move_the_table_refuses_shows_the_machines_message_and_changes_nothing(client, org_a):
    lead = lead_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(_url("lead_requalify", lead), HTTP_REFERER="http://testserver" + _url("lead_detail", lead))
    assert response[REFUSAL_HEADER] == "invalid_transition"
    page = client.get(response["Location"]).content.decode()
    assert "take up again" in page.lower()
    lead.refresh_from_db()
    assert lead.state == "new"
    lead_contact(lead=lead, actor=Actor.system())
    with pytest.raises(InvalidTransition):
        lead_contact(lead=lead, actor=Actor.system())
    with pytest.raises(InvalidTransition):
        lead_requalify(lead=lead, actor=Actor.system())


def test_another_organizations_lead_is_404(client, org_a, org_b):
    theirs = lead_make(org_b)
    client.force_login(org_a.admin)
    for name in ("lead_detail",):
        assert client.get(reverse(name, args=["alpha", theirs.pk])).status_code == 404
    for name in (
        "lead_mark_contacted",
        "lead_disqualify",
        "lead_requalify",
        "lead_convert",
        "lead_attach",
        "lead_resend",
    ):
        assert (
            client.post(reverse(name, args=["alpha", theirs.pk]), {"reason": "x", "channel": "none"}).status_code == 404
        )
    theirs.refresh_from_db()
    assert theirs.state == "new"
