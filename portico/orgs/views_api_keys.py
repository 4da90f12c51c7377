"""API keys page: admins list, create and revoke the organization's keys for the JSON API.

A new key is shown once, on the response to the POST that made it; only its digest is stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portico.core.errors import PorticoError
from portico.orgs import actions, selectors
from portico.orgs.context import OrgContext, org_actor, org_view
from portico.orgs.models import Organization, Role
from portico.orgs.permissions import Permission


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses the key, e.g. “Website intake form”."),
    )
    role = forms.ModelChoiceField(
        label=gettext_lazy("Role"),
        queryset=Role.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("The key can do what this role allows. Only roles within your own permissions."),
    )

    def __init__(self, *args: Any, ctx: OrgContext, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Nobody hands a key more than they may do themselves.
        self.fields["role"].queryset = selectors.roles_grantable(org=ctx.org, permissions=ctx.permissions)  # type: ignore[attr-defined]


def _list_page(request: HttpRequest, form: ApiKeyCreateForm) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    return render(request, "orgs/api_keys.html", {"api_keys": selectors.api_key_list(org=org), "form": form})


@org_view(Permission.ORG_SETTINGS)
def api_key_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ApiKeyCreateForm(ctx=request.org_ctx))  # type: ignore[attr-defined]


@require_POST
@org_view(Permission.ORG_SETTINGS)
def api_key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST, ctx=request.org_ctx)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _list_page(request, form)
    api_key, raw_key = actions.api_key_create(
        org=request.org,  # type: ignore[attr-defined]
        actor=org_actor(request),
        name=form.cleaned_data["name"],
        role=form.cleaned_data["role"],
    )
    # Rendered, not redirected: the key must not travel through the session or a message.
    response = render(request, "orgs/api_keys_created.html", {"api_key": api_key, "raw_key": raw_key})
    add_never_cache_headers(response)
    return response


@require_POST
@org_view(Permission.ORG_SETTINGS)
def api_key_revoke(request: HttpRequest, api_key_id: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    api_key = selectors.api_key_get(org=org, api_key_id=api_key_id)
    try:
        actions.api_key_revoke(api_key=api_key, actor=org_actor(request))
    except PorticoError as exc:  # revoked meanwhile (another tab, another admin)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("API key “%(name)s” revoked; it no longer works.") % {"name": api_key.name})
    return redirect("api_key_list", org_slug=org.slug)
