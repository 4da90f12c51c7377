"""Reads for the client's side of agreements (the portal): only the agreements of the records the
signed-in person organizes in that organization (never drafts); anything else is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portico.accounts.models import User
from portico.agreements.models import Agreement, AgreementState, ElectronicConsent
from portico.clients.selectors import client_records_organized_by
from portico.orgs.models import Organization


def agreements_of_person(*, org: Organization, user: User) -> QuerySet[Agreement]:
    return Agreement.objects.filter(org=org, client__in=client_records_organized_by(org=org, user=user)).exclude(
        state=AgreementState.DRAFT
    )


def agreement_get_for_person(*, org: Organization, user: User, agreement_id: int) -> Agreement:
    return get_object_or_404(
        agreements_of_person(org=org, user=user).select_related("org", "client", "superseded_by"), pk=agreement_id
    )


def consent_standing(*, org: Organization, user: User) -> ElectronicConsent | None:
    """The person's consent in ``org`` that was not withdrawn (at most one, by a constraint)."""
    return ElectronicConsent.objects.filter(org=org, user=user, withdrawn_at=None).first()
