"""Lead actions: the only code that creates leads or moves them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.contact import email_normalize, phone_normalize
from portico.core.errors import PorticoError
from portico.leads.models import Lead, LeadSource, LeadState
from portico.orgs.models import Organization

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@action
def lead_submit(
    *,
    org: Organization,
    actor: Actor,
    source: str,
    name: str,
    email: str = "",
    phone: str = "",
    message: str = "",
    service: str = "",
    referrer_client: Client | None = None,
    referrer_user: User | None = None,
    utm: dict[str, Any] | None = None,
    page: str = "",
    time_zone: str = "",
) -> Lead:
    """A new lead from any source (the public pages, the booking widget, the API). Needs a name
    and a way to reach the person (email or mobile)."""
    if source not in LeadSource.values:
        raise ValueError(f"unknown lead source {source!r}")
    name = " ".join((name or "").split())[:200]
    if not name:
        raise PorticoError(_("Enter a name."), code="invalid", extra={"field": "name"})
    email = email_normalize(email)
    phone = phone_normalize(phone)
    if not email and not phone:
        raise PorticoError(_("Enter an email address or a mobile number."), code="invalid", extra={"field": "email"})
    clean_utm = {k: str(v)[:200] for k, v in (utm or {}).items() if k in UTM_KEYS and v}
    lead = Lead.objects.create(
        org=org,
        name=name,
        email=email,
        phone=phone,
        message=(message or "")[:5000],
        service=(service or "")[:200],
        source=source,
        referrer_client=referrer_client,
        referrer_user=referrer_user,
        utm=clean_utm,
        page=(page or "")[:500],
        time_zone=time_zone,
        state=LeadState.NEW,
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.LEAD_RECEIVED,
        target=lead,
        to_state=LeadState.NEW,
        detail={"source": source, **({"utm": clean_utm} if clean_utm else {})},
    )
    return lead
