"""Reads of estimates: the staff list (keyset pages), one estimate with its lines and attachments,
a client record's estimates, and the client's side in the portal (never a draft; another
person's estimate, or another organization's, is a 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from portico.accounts.models import User
from portico.clients.models import Client
from portico.clients.selectors import client_records_organized_by
from portico.core.keyset import Page, keyset_page
from portico.estimates.models import Estimate, EstimateAttachment, EstimateLine, EstimateState
from portico.orgs.models import Organization

PAGE_SIZE = 25
RECORD_BLOCK_SIZE = 5
# On a lead, or on a live client record.
LIVE = Q(client=None) | Q(client__deleted_at=None)


@dataclass
class EstimateFilters:
    state: str = ""
    client: int | None = None
    lead: int | None = None


def estimate_get(*, org: Organization, estimate_id: int) -> Estimate:
    """One of the organization's estimates (live client records only); another's id is a 404."""
    qs = Estimate.objects.filter(org=org).filter(LIVE)
    return get_object_or_404(
        qs.select_related("org", "org__portal_settings", "client", "lead", "superseded_by"), pk=estimate_id
    )


def estimate_versions(*, estimate: Estimate) -> list[Estimate]:
    """Every version of the estimate's number, oldest first (one query)."""
    return list(
        Estimate.objects.filter(org_id=estimate.org_id, number=estimate.number)
        .only("pk", "version", "state")
        .order_by("version")
    )


def estimate_lines(*, estimate: Estimate) -> list[EstimateLine]:
    return list(EstimateLine.objects.filter(estimate=estimate).order_by("position", "id"))


def estimate_attachments(*, estimate: Estimate) -> list[EstimateAttachment]:
    return list(EstimateAttachment.objects.filter(estimate=estimate).order_by("id"))


def estimate_attachment_get(*, estimate: Estimate, attachment_id: int) -> EstimateAttachment:
    return get_object_or_404(EstimateAttachment, estimate=estimate, pk=attachment_id)


def estimate_page(
    *, org: Organization, filters: EstimateFilters, cursor: str = "", page_size: int = PAGE_SIZE
) -> Page[Estimate]:
    """One page of the list, newest first, by keyset (created_at, id): one query (client and lead
    joined), whatever the page."""
    qs = Estimate.objects.filter(org=org).filter(LIVE)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.client:
        qs = qs.filter(client_id=filters.client)
    if filters.lead:
        qs = qs.filter(lead_id=filters.lead)
    qs = qs.select_related("client", "lead")
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, page_size=page_size)


def estimates_of_client(*, client: Client, limit: int = RECORD_BLOCK_SIZE) -> list[Estimate]:
    """The record page's block: the client's newest estimates, superseded versions left out (one query)."""
    return list(
        Estimate.objects.filter(org_id=client.org_id, client=client)
        .exclude(state=EstimateState.SUPERSEDED)
        .order_by("-created_at", "-id")[:limit]
    )


# --- the client's side (portal) ---


def estimates_of_person(*, org: Organization, user: User) -> QuerySet[Estimate]:
    """The estimates sent to the records ``user`` organizes in ``org`` (never drafts), newest first."""
    return (
        Estimate.objects.filter(org=org, client__in=client_records_organized_by(org=org, user=user))
        .exclude(state=EstimateState.DRAFT)
        .select_related("client")
    )


def estimates_of_person_page(*, org: Organization, user: User, cursor: str = "") -> Page[Estimate]:
    """The portal list: superseded versions left out (their newer version is listed)."""
    return keyset_page(
        estimates_of_person(org=org, user=user).exclude(state=EstimateState.SUPERSEDED),
        order=("-created_at", "-id"),
        cursor=cursor,
        page_size=PAGE_SIZE,
    )


def estimate_get_for_person(*, org: Organization, user: User, estimate_id: int) -> Estimate:
    """One of the person's estimates (a superseded one too: it says which replaced it); 404 otherwise."""
    return get_object_or_404(
        estimates_of_person(org=org, user=user).select_related("org", "org__portal_settings", "superseded_by"),
        pk=estimate_id,
    )
