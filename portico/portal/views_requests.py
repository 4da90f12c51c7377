"""The client's requests in the portal (phone first): the list, "Make a request", the thread
(without internal notes) with the reply form, and attachments served after a permission check."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from portico.accounts.models import User
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.portal.forms import PortalReplyForm, PortalRequestForm
from portico.portal.models import PortalAccount
from portico.portal.selectors import portal_attachment_get, portal_records, portal_request_get, portal_requests
from portico.portal.views import portal_view
from portico.requests.actions import request_kinds_ensure, request_open, request_reply
from portico.requests.uploads import MAX_ATTACHMENTS


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@portal_view
def portal_request_list(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    requests = list(portal_requests(org=account.org, user=_user(request)))
    return render(
        request,
        "portal/requests_list.html",
        {"portal": account.org.portal_settings, "account": account, "requests": requests},
    )


@portal_view
def portal_request_new(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    org = account.org
    records = portal_records(org=org, user=_user(request))
    kinds = request_kinds_ensure(org=org, actor=Actor.system())
    form = PortalRequestForm(request.POST or None, request.FILES or None, kinds=kinds, records=records)
    if request.method == "POST" and form.is_valid():
        try:
            opened = request_open(
                client=form.cleaned_data["record"],
                actor=Actor.from_request(request, kind=ActorKind.CLIENT),
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your request was sent."))
            return redirect("portal_request_detail", org_slug=org.slug, request_id=opened.pk)
    return render(
        request,
        "portal/requests_new.html",
        {
            "portal": org.portal_settings,
            "account": account,
            "form": form,
            "has_records": form.fields["record"].queryset.exists(),  # type: ignore[attr-defined]
            "max_attachments": MAX_ATTACHMENTS,
        },
    )


@portal_view
def portal_request_detail(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], request_id: int
) -> HttpResponse:
    org = account.org
    thread = portal_request_get(org=org, user=_user(request), request_id=request_id)
    form = PortalReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_reply(
                request=thread,
                actor=Actor.from_request(request, kind=ActorKind.CLIENT),
                body=form.cleaned_data["body"],
                from_client=True,
                files=form.cleaned_data["attachments"],
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal_request_detail", org_slug=org.slug, request_id=thread.pk)
    return render(
        request,
        "portal/requests_detail.html",
        {
            "portal": org.portal_settings,
            "account": account,
            "thread": thread,
            "form": form,
            "max_attachments": MAX_ATTACHMENTS,
        },
    )


@portal_view
@cache_control(private=True, no_store=True)
def portal_request_attachment(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], request_id: int, attachment_id: int
) -> FileResponse:
    attachment = portal_attachment_get(
        org=account.org, user=_user(request), request_id=request_id, attachment_id=attachment_id
    )
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
