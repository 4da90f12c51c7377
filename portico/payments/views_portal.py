"""The client's payment method in the portal (phone first): what is on file (brand or bank, last 4,
expiry, state), add or replace it in Stripe's Payment Element (card or bank fields live only in
Stripe's element: nothing of them is posted here), the page Stripe returns to, and remove (with a
confirm step). Another person's record or method is a 404."""

from __future__ import annotations

import secrets
from typing import Any

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portico.accounts.models import User
from portico.clients.models import Client
from portico.core.actors import Actor, ActorKind
from portico.core.crypto import SecretUnreadable
from portico.core.errors import PorticoError
from portico.payments import actions, selectors, stripe_api
from portico.payments.models import PaymentMethod, PaymentMethodState
from portico.payments.stripe_api import account_client, as_dict, stripe_message
from portico.portal.context import portal_view
from portico.portal.models import PortalAccount


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, kind=ActorKind.CLIENT)


def _client_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _back(client: Client) -> HttpResponse:
    url = reverse("portal_payment_method", args=[client.org.slug])
    return redirect(f"{url}?client={client.pk}")


@portal_view
def portal_payment_method(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    records = selectors.records_for_person(org=account.org, user=_user(request))
    client = selectors.record_for_person(
        org=account.org, user=_user(request), client_id=_client_id(request.GET.get("client", "")), records=records
    )
    return render(
        request,
        "payments/portal_method.html",
        {
            "portal": account.org.portal_settings,
            "account": account,
            "client": client,
            "records": records,
            "summary": selectors.payment_method_summary(client=client),
            "connected": selectors.stripe_account_of(org=account.org) is not None,
            "attempt": secrets.token_urlsafe(16),
        },
    )


@portal_view
@require_POST
def portal_payment_method_add(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]
) -> HttpResponse:
    """A SetupIntent for this attempt, then Stripe's Payment Element on the page. Sent again (a
    reload), the same attempt gets the same SetupIntent."""
    client = selectors.record_for_person(
        org=account.org, user=_user(request), client_id=_client_id(request.POST.get("client", ""))
    )
    try:
        # Stripe makes the customer and SetupIntent first, outside any transaction; then the row.
        started = stripe_api.setup_intent_create(client=client, attempt=request.POST.get("attempt", ""))
        pm = actions.payment_method_start(client=client, actor=_actor(request), started=started)
    except PorticoError as exc:
        messages.error(request, str(exc.message))
        return _back(client)
    except SecretUnreadable:
        messages.error(request, NOT_AVAILABLE)
        return _back(client)
    stripe_account = selectors.stripe_account_of(org=account.org)
    return render(
        request,
        "payments/portal_element.html",
        {
            "portal": account.org.portal_settings,
            "account": account,
            "client": client,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_config": {
                "publishableKey": stripe_account.publishable_key if stripe_account else "",
                "clientSecret": started.client_secret,
                "returnUrl": request.build_absolute_uri(
                    reverse("portal_payment_method_return", args=[account.org.slug])
                ),
            },
            "pm": pm,
        },
    )


# The organization's stored Stripe keys cannot be read with this installation's keys (its staff
# see why in Settings → Stripe); the client only needs to know it is not their doing.
NOT_AVAILABLE = gettext_lazy("Payments are not available right now: try again later.")

RETURN_MESSAGES = {
    "activated": (messages.SUCCESS, gettext_lazy("Your payment method is saved.")),
    "awaiting verification": (
        messages.INFO,
        gettext_lazy(
            "Your bank account will be verified in 1–2 business days: Stripe sends two small deposits or a code."
        ),
    ),
}


@portal_view
def portal_payment_method_return(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]
) -> HttpResponse:
    """Where Stripe.js sends the client after confirming: the SetupIntent is read back from Stripe
    (never trusted from the address) and applied."""
    pm = selectors.payment_method_by_setup_intent(
        org=account.org, user=_user(request), setup_intent_id=request.GET.get("setup_intent", "")
    )
    try:
        stripe_account = selectors.stripe_account_of(org=account.org)
        if stripe_account is None:
            raise PorticoError(_("The organization has disconnected Stripe."), code="not_connected")
        try:
            intent = account_client(stripe_account).v1.setup_intents.retrieve(
                pm.setup_intent_id, params={"expand": ["payment_method"]}
            )
        except stripe.StripeError as exc:
            raise PorticoError(
                _("Stripe could not be asked just now: %(why)s") % {"why": stripe_message(exc)}, code="stripe_error"
            ) from None
        pm, outcome = actions.payment_method_setup_apply(
            payment_method=pm, setup_intent=as_dict(intent), actor=_actor(request)
        )
    except PorticoError as exc:
        messages.error(request, str(exc.message))
        return _back(pm.client)
    except SecretUnreadable:
        messages.error(request, NOT_AVAILABLE)
        return _back(pm.client)
    if pm.state == PaymentMethodState.FAILED:
        messages.error(request, _("Your payment method could not be saved: %(why)s") % {"why": pm.failure_message})
    elif outcome in RETURN_MESSAGES:
        level, text = RETURN_MESSAGES[outcome]
        messages.add_message(request, level, text)
    return _back(pm.client)


def _method(request: HttpRequest, account: PortalAccount, payment_method_id: int) -> PaymentMethod:
    return selectors.payment_method_for_person(
        org=account.org, user=_user(request), payment_method_id=payment_method_id
    )


@portal_view
def portal_payment_method_remove(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], payment_method_id: int
) -> HttpResponse:
    """GET: the confirm step. POST: detached at Stripe and removed."""
    pm = _method(request, account, payment_method_id)
    if pm.state not in (PaymentMethodState.PENDING, PaymentMethodState.ACTIVE):
        raise Http404
    if request.method == "POST":
        try:
            # Detached at Stripe first, outside any transaction; then recorded under the row's lock.
            stripe_api.payment_method_detach(org_id=pm.org_id, payment_method_id=pm.payment_method_id)
            actions.payment_method_remove(payment_method=pm, actor=_actor(request))
        except PorticoError as exc:
            messages.error(request, str(exc.message))
        except SecretUnreadable:
            messages.error(request, NOT_AVAILABLE)
        else:
            messages.success(request, _("Your payment method was removed."))
        return _back(pm.client)
    context: dict[str, Any] = {"portal": account.org.portal_settings, "account": account, "pm": pm, "client": pm.client}
    return render(request, "payments/portal_remove.html", context)
