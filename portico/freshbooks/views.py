"""Settings → FreshBooks (connect through FreshBooks' sign-in, the status, disconnect after a confirm
step), FreshBooks' redirect back (``freshbooks_callback``, at the root: the one-time state names the
organization and the person who started), and "Connect to FreshBooks" on a customer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portico.core.errors import PorticoError
from portico.customers.selectors import customer_get
from portico.freshbooks import actions, freshbooks_api, rules, selectors
from portico.freshbooks.models import FreshbooksAuthState
from portico.orgs.context import MfaRequired, org_actor, org_context_resolve, org_view
from portico.orgs.permissions import Permission


@org_view(Permission.ORG_SETTINGS)
def freshbooks_settings(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    return render(
        request,
        "freshbooks/settings.html",
        {
            "connection": selectors.connection_of(org=org),
            "configured": freshbooks_api.configured(),
            "redirect_uri": freshbooks_api.redirect_uri(),
        },
    )


@org_view(Permission.ORG_SETTINGS)
@require_POST
def freshbooks_connect(request: HttpRequest) -> HttpResponse:
    """Off to FreshBooks' sign-in page; FreshBooks sends the administrator back to the callback."""
    url = actions.freshbooks_connect_start(org=request.org, user=request.user)  # type: ignore[attr-defined]
    return redirect(url)


@org_view(Permission.ORG_SETTINGS)
def freshbooks_disconnect(request: HttpRequest) -> HttpResponse:
    """GET: the confirm step. POST: the tokens are forgotten."""
    org = request.org  # type: ignore[attr-defined]
    if request.method == "POST":
        actions.freshbooks_disconnect(org=org, actor=org_actor(request))
        messages.success(request, _("FreshBooks is disconnected. Connected customers keep their FreshBooks link."))
        return redirect("freshbooks_settings", org_slug=org.slug)
    connection = selectors.connection_of(org=org)
    if connection is None:
        return redirect("freshbooks_settings", org_slug=org.slug)
    return render(request, "freshbooks/disconnect.html", {"connection": connection})


@require_GET
def freshbooks_callback(request: HttpRequest) -> HttpResponse:
    """FreshBooks' redirect: ``?code&state`` (or ``?error=access_denied``). The state names the
    organization and the person who started; that person, still an administrator there, finishes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    state = request.GET.get("state", "")
    found = (
        FreshbooksAuthState.objects.select_related("org").filter(state_hash=rules.state_digest(state)).first()
        if state
        else None
    )
    if found is None:
        return render(
            request,
            "freshbooks/callback_error.html",
            {"message": _("This FreshBooks sign-in link is not valid. Start again from Settings → FreshBooks.")},
            status=400,
        )
    try:
        ctx = org_context_resolve(request, found.org.slug)  # not a member there: 404
    except MfaRequired as exc:
        messages.warning(request, str(exc.message))
        return redirect("mfa_activate_totp")
    ctx.require(Permission.ORG_SETTINGS)
    request.org, request.org_ctx = ctx.org, ctx  # type: ignore[attr-defined]
    back = redirect("freshbooks_settings", org_slug=ctx.org.slug)
    error = request.GET.get("error", "")
    if error:
        if error == "access_denied":
            messages.error(request, _("FreshBooks access was not allowed: FreshBooks is not connected."))
        else:
            detail = request.GET.get("error_description", "") or error
            messages.error(request, _("FreshBooks did not connect: %(error)s") % {"error": detail[:200]})
        return back
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("FreshBooks sent no authorization code: FreshBooks is not connected."))
        return back
    try:
        connection = actions.freshbooks_connect_finish(state=state, code=code, actor=org_actor(request))
    except PorticoError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("FreshBooks is connected (%(business)s).")
            % {"business": connection.business_name or connection.account_id},
        )
    return back


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_freshbooks_connect(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Create the customer in FreshBooks; back to the page the button was on, with the outcome
    (a refusal raises: the error middleware shows it there, and nothing changed)."""
    customer = customer_get(org=request.org, customer_id=customer_id)  # type: ignore[attr-defined]
    customer = actions.customer_freshbooks_connect(customer=customer, actor=org_actor(request))
    messages.success(
        request,
        _("%(name)s is connected to FreshBooks (client %(id)s).")
        % {"name": customer.client.name, "id": customer.freshbooks_id},
    )
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = request.path.rstrip("/").rsplit("/", 1)[0] + "/"  # the customer's page
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = back
        return response
    return redirect(back)
