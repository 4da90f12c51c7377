"""The leads app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from portico.audit.models import AuditAction
from portico.clients.actions import client_create
from portico.core.actors import Actor
from portico.leads.actions import (
    lead_attach,
    lead_contact,
    lead_convert,
    lead_settings_save,
    lead_submit,
    referral_link_get_or_create,
)
from portico.leads.models import Lead, LeadSource
from testing.world import World


def _staff(w: World) -> Actor:
    return Actor(kind="staff", user=w.admin, ip="192.0.2.1", user_agent="pytest")


def _lead(w: World, email: str = "ada@x.test") -> Lead:
    return lead_submit(org=w.org, actor=Actor.system(), source=LeadSource.CONTACT_FORM, name="Ada Lead", email=email)


def _attach(w: World) -> None:
    client = client_create(org=w.org, actor=_staff(w), name="Ada Client", email="ada@x.test")
    lead_attach(lead=_lead(w), client=client, actor=_staff(w))


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.LEAD_RECEIVED: lambda w, s: _lead(w),
    AuditAction.LEAD_STATE_CHANGED: lambda w, s: lead_contact(lead=_lead(w), actor=_staff(w)),
    AuditAction.LEAD_CONVERTED: lambda w, s: lead_convert(lead=_lead(w), actor=_staff(w), channel=""),
    AuditAction.LEAD_ATTACHED: lambda w, s: _attach(w),
    AuditAction.LEAD_SETTINGS_CHANGED: lambda w, s: lead_settings_save(
        org=w.org, actor=_staff(w), navigators=[w.admin], public_forms=True, thank_you="Thanks"
    ),
    AuditAction.REFERRAL_LINK_CREATED: lambda w, s: referral_link_get_or_create(
        org=w.org, actor=_staff(w), client=client_create(org=w.org, actor=_staff(w), name="Ref Client")
    ),
}
