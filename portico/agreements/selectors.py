"""Reads of agreements and their templates, scoped to one organization (another's id is a 404):
the staff list (keyset pages), one agreement with its events, templates and their versions, the
client's latest approved estimate (what an agreement is made from), and the portal link."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portico.agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementTemplate,
    AgreementTemplateVersion,
)
from portico.clients.models import Client
from portico.core.keyset import Page, keyset_page
from portico.estimates.models import Estimate, EstimateState
from portico.orgs.models import Organization

PAGE_SIZE = 25
PREVIEW_CLIENTS = 200
VERSIONS_SHOWN = 20


def portal_agreement_url(agreement: Agreement) -> str:
    """The client's page of the agreement (read, consent, sign), as a path. The page is the
    signing app's ``portal_agreement_detail``; built literally until both branches are merged
    (then: ``reverse("portal_agreement_detail", args=[slug, id])``)."""
    return f"/portal/{agreement.org.slug}/agreements/{agreement.pk}/"


@dataclass
class AgreementFilters:
    state: str = ""
    client: int | None = None


def agreement_get(*, org: Organization, agreement_id: int) -> Agreement:
    """One of the organization's agreements (live client records); another's id is a 404."""
    qs = Agreement.objects.filter(org=org, client__deleted_at=None).select_related(
        "org", "client", "estimate", "template_version__template", "superseded_by"
    )
    return get_object_or_404(qs, pk=agreement_id)


def agreement_page(
    *, org: Organization, filters: AgreementFilters, cursor: str = "", page_size: int = PAGE_SIZE
) -> Page[Agreement]:
    """One page of the list, newest first, by keyset (created_at, id): one query, client joined."""
    qs = Agreement.objects.filter(org=org, client__deleted_at=None)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.client:
        qs = qs.filter(client_id=filters.client)
    qs = qs.select_related("client").defer("body")
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, page_size=page_size)


def agreement_events(*, agreement: Agreement) -> list[AgreementEvent]:
    return list(AgreementEvent.objects.filter(agreement_id=agreement.pk).order_by("seq"))


def agreements_of_client(*, client: Client, limit: int = 5) -> list[Agreement]:
    """A client record's newest agreements (one query)."""
    return list(
        Agreement.objects.filter(org_id=client.org_id, client=client)
        .defer("body")
        .order_by("-created_at", "-id")[:limit]
    )


def latest_approved_estimate(*, client: Client) -> Estimate | None:
    """The client's newest approved estimate: what an agreement for them is made from."""
    return (
        Estimate.objects.filter(org_id=client.org_id, client=client, state=EstimateState.APPROVED)
        .select_related("org")
        .order_by("-decided_at", "-id")
        .first()
    )


def approved_estimates(*, client: Client) -> list[Estimate]:
    """The client's approved estimates, newest first (the new-agreement page offers them)."""
    return list(
        Estimate.objects.filter(org_id=client.org_id, client=client, state=EstimateState.APPROVED).order_by(
            "-decided_at", "-id"
        )
    )


def estimate_of_client_get(*, client: Client, estimate_id: int) -> Estimate:
    return get_object_or_404(
        Estimate.objects.select_related("org"), org_id=client.org_id, client=client, pk=estimate_id
    )


# --- templates ---


def templates_of_org(*, org: Organization, archived: bool = False) -> QuerySet[AgreementTemplate]:
    return AgreementTemplate.objects.filter(org=org, archived_at__isnull=not archived).order_by("name", "id")


def template_get(*, org: Organization, template_id: int, live: bool = False) -> AgreementTemplate:
    """One of the organization's templates (``live``: not archived); another's id is a 404."""
    qs = AgreementTemplate.objects.filter(org=org)
    if live:
        qs = qs.filter(archived_at=None)
    return get_object_or_404(qs, pk=template_id)


def template_version_latest(*, template: AgreementTemplate) -> AgreementTemplateVersion:
    version = AgreementTemplateVersion.objects.filter(template=template).order_by("-number").first()
    assert version is not None, "a template is created with its first version"
    return version


def template_versions(*, template: AgreementTemplate, limit: int = VERSIONS_SHOWN) -> list[AgreementTemplateVersion]:
    return list(
        AgreementTemplateVersion.objects.filter(template=template)
        .select_related("created_by")
        .order_by("-number")[:limit]
    )


def default_template(*, org: Organization) -> AgreementTemplate | None:
    return AgreementTemplate.objects.filter(org=org, is_default=True, archived_at=None).first()


def preview_clients(*, org: Organization) -> list[Client]:
    """The clients a preview may be made with: the newest live records (a select, phone first)."""
    return list(
        Client.objects.filter(org=org, deleted_at=None)
        .only("pk", "name")
        .order_by("-created_at", "-id")[:PREVIEW_CLIENTS]
    )
