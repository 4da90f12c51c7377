"""Reads of payments: the organization's Stripe connection, a client's payment method as staff,
the portal and the API see it (never more than kind, brand or bank, last 4, expiry, state), the
records a portal person may set one up for (their own; another's is a 404), and what the webhook
needs before it applies an event."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from portico.accounts.models import User
from portico.clients.models import Client
from portico.clients.selectors import client_records_organized_by
from portico.core.crypto import SecretUnreadable, secret_open
from portico.orgs.models import Organization
from portico.payments.models import PaymentMethod, PaymentMethodState, StripeAccount

# A pending row the client has submitted (a bank account waiting for microdeposits) is shown; a
# pending row whose SetupIntent was never completed (the client left the page) is not.
SHOWN = Q(state=PaymentMethodState.ACTIVE) | Q(state=PaymentMethodState.PENDING) & ~Q(payment_method_id="")


def stripe_account_of(*, org: Organization) -> StripeAccount | None:
    return StripeAccount.objects.filter(org=org).first()


def stripe_account_readable(account: StripeAccount) -> bool:
    """Whether this installation's keys open the stored secrets (not after SECRET_KEY or
    SECRETS_KEYS changed without keeping the old key)."""
    try:
        secret_open(account.secret_key_sealed)
        secret_open(account.webhook_secret_sealed)
    except SecretUnreadable:
        return False
    return True


def stripe_account_for_webhook(*, org_slug: str) -> StripeAccount:
    """The connection whose webhook secret signs events to this organization's address (404 without)."""
    return get_object_or_404(StripeAccount.objects.only("org_id", "webhook_secret_sealed"), org__slug=org_slug)


@dataclass(frozen=True)
class MethodSummary:
    """A client's payment method as anyone but Stripe sees it."""

    current: PaymentMethod | None  # active, or submitted and waiting for verification
    failed: PaymentMethod | None  # the newest failure since the current one (its message is shown)


def payment_method_summary(*, client: Client) -> MethodSummary:
    """One query: the client's newest shown and failed methods."""
    rows = list(
        PaymentMethod.objects.filter(client=client)
        .filter(SHOWN | Q(state=PaymentMethodState.FAILED))
        .order_by("-created_at", "-id")[:10]
    )
    active = next((pm for pm in rows if pm.state == PaymentMethodState.ACTIVE), None)
    current = active or next((pm for pm in rows if pm.state == PaymentMethodState.PENDING), None)
    failed = next((pm for pm in rows if pm.state == PaymentMethodState.FAILED), None)
    if failed is not None and current is not None and failed.created_at < current.created_at:
        failed = None
    return MethodSummary(current=current, failed=failed)


# --- the client's side (portal) ---


def records_for_person(*, org: Organization, user: User) -> list[Client]:
    """The records ``user`` organizes in ``org`` (usually one: their own), oldest first."""
    return list(client_records_organized_by(org=org, user=user).select_related("org").order_by("id"))


def record_for_person(
    *, org: Organization, user: User, client_id: int | None, records: list[Client] | None = None
) -> Client:
    """The record the page is about: the one named (if theirs) or their first; 404 otherwise.
    ``records``: the person's records when the caller already read them (one query fewer)."""
    if records is None:
        records = records_for_person(org=org, user=user)
    if client_id is None and records:
        return records[0]
    found = next((c for c in records if c.pk == client_id), None)
    if found is None:
        raise Http404
    return found


def payment_method_for_person(*, org: Organization, user: User, payment_method_id: int) -> PaymentMethod:
    return get_object_or_404(
        PaymentMethod.objects.select_related("org", "client"),
        org=org,
        client__in=client_records_organized_by(org=org, user=user),
        pk=payment_method_id,
    )


def payment_method_by_setup_intent(*, org: Organization, user: User, setup_intent_id: str) -> PaymentMethod:
    return get_object_or_404(
        PaymentMethod.objects.select_related("org", "client"),
        org=org,
        client__in=client_records_organized_by(org=org, user=user),
        setup_intent_id=setup_intent_id,
    )
