"""The leads pages' factories for orgs/tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portico.clients.actions import client_create
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.leads.actions import lead_convert, lead_disqualify, lead_submit
from portico.leads.models import Lead, LeadSource
from testing.world import World, portal_set_up

ATTACH_EMAIL = "matrix-attach@x.test"


def _lead(w: World, email: str = "matrix-lead@x.test") -> Lead:
    return lead_submit(org=w.org, actor=Actor.system(), source=LeadSource.CONTACT_FORM, name="Matrix Lead", email=email)


def _disqualified(w: World) -> dict[str, Any]:
    return {"lead_id": lead_disqualify(lead=_lead(w), actor=Actor.system(), reason="Matrix").pk}


def _matching(w: World) -> dict[str, Any]:
    client_create(org=w.org, actor=Actor.system(), name="Matrix Match", email=ATTACH_EMAIL)
    return {"lead_id": _lead(w, ATTACH_EMAIL).pk}


def _converted(w: World) -> dict[str, Any]:
    portal_set_up(w)
    lead = _lead(w)
    lead_convert(lead=lead, actor=Actor.system(), channel="")
    return {"lead_id": lead.pk}


ID_FACTORIES: dict[str, Callable[[World], int]] = {
    "lead_id": lambda w: _lead(w).pk,
}
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "lead_requalify": _disqualified,
    "lead_attach": _matching,
    "lead_resend": _converted,
}
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "lead_disqualify": lambda w: {"reason": "Not a fit"},
    "lead_convert": lambda w: {"channel": "none"},
    "lead_attach": lambda w: {"client": Client.objects.filter(org=w.org, email=ATTACH_EMAIL).latest("id").pk},
    "lead_settings": lambda w: {"public_forms": "on", "thank_you": ""},
}
