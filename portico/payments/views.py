"""Settings → Stripe: connect the organization's Stripe account (keys checked with Stripe, stored
encrypted, shown afterwards only as a hint), the webhook address to paste into Stripe, disconnect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from portico.core.errors import PorticoError
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.payments import actions, selectors
from portico.payments.forms import StripeKeysForm
from portico.payments.stripe_api import UNREADABLE, keys_for_connect


@org_view(Permission.ORG_SETTINGS)
def stripe_settings(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    account = selectors.stripe_account_of(org=org)
    initial = {"publishable_key": account.publishable_key} if account else {}
    form = StripeKeysForm(request.POST or None, initial=initial, connected=account is not None)
    if request.method == "POST" and form.is_valid():
        try:
            keys = keys_for_connect(org=org, **form.cleaned_data)  # asks Stripe: no transaction open
            actions.stripe_connect(org=org, actor=org_actor(request), keys=keys)
        except PorticoError as exc:
            form.add_error(exc.extra.get("field"), str(exc.message))
        else:
            messages.success(request, _("Stripe is connected."))
            return redirect("stripe_settings", org_slug=org.slug)
    elif request.method != "POST" and account is not None and not selectors.stripe_account_readable(account):
        messages.error(request, UNREADABLE)
    webhook_url = request.build_absolute_uri(reverse("stripe_webhook", args=[org.slug]))
    return render(
        request,
        "payments/stripe_settings.html",
        {"form": form, "account": account, "webhook_url": webhook_url, "events": actions.WEBHOOK_EVENTS},
    )


@org_view(Permission.ORG_SETTINGS)
def stripe_disconnect(request: HttpRequest) -> HttpResponse:
    """GET: the confirm step. POST: the keys are forgotten."""
    org = request.org  # type: ignore[attr-defined]
    if request.method == "POST":
        actions.stripe_disconnect(org=org, actor=org_actor(request))
        messages.success(
            request, _("Stripe is disconnected: clients cannot add a payment method until you connect it again.")
        )
        return redirect("stripe_settings", org_slug=org.slug)
    account = selectors.stripe_account_of(org=org)
    if account is None:
        return redirect("stripe_settings", org_slug=org.slug)
    return render(request, "payments/stripe_disconnect.html", {"account": account})
