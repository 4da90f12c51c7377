"""The client's requests in the portal (phone first): the list, "Make a request", the thread
(without internal notes) with the reply form, and attachments served after a permission check."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.clients.selectors import client_records_organized_by
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, private_file_response
from portico.portal.context import portal_view
from portico.portal.models import PortalAccount
from portico.requests import selectors
from portico.requests.actions import request_open, request_reply
from portico.requests.forms import PortalReplyForm, PortalRequestForm
from portico.requests.uploads import MAX_ATTACHMENTS


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, kind=ActorKind.CLIENT)


@portal_view
def portal_request_list(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    page = selectors.client_requests_of_person_page(
        org=account.org, user=_user(request), cursor=request.GET.get("cursor", "")
    )
    return render(
        request,
        "requests/portal_list.html",
        {"portal": account.org.portal_settings, "account": account, "page": page},
    )


@portal_view
def portal_request_new(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    org = account.org
    records = client_records_organized_by(org=org, user=_user(request))
    kinds = list(selectors.request_kinds(org=org, offered_only=True))
    form = PortalRequestForm(request.POST or None, request.FILES or None, kinds=kinds, records=records)
    if request.method == "POST" and form.is_valid():
        try:
            opened = request_open(
                client=form.cleaned_data["record"],
                actor=_actor(request),
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your request was sent."))
            return redirect("portal_request_detail", org_slug=org.slug, client_request_id=opened.pk)
    return render(
        request,
        "requests/portal_new.html",
        {
            "portal": org.portal_settings,
            "account": account,
            "form": form,
            "has_records": form.fields["record"].queryset.exists(),  # type: ignore[attr-defined]
            "has_kinds": bool(kinds),
            "max_attachments": MAX_ATTACHMENTS,
        },
    )


@portal_view
def portal_request_detail(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], client_request_id: int
) -> HttpResponse:
    org = account.org
    client_request = selectors.client_request_get_for_person(
        org=org, user=_user(request), client_request_id=client_request_id
    )
    form = PortalReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_reply(
                client_request=client_request,
                actor=_actor(request),
                body=form.cleaned_data["body"],
                from_client=True,
                files=form.cleaned_data["attachments"],
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect("portal_request_detail", org_slug=org.slug, client_request_id=client_request.pk)
    return render(
        request,
        "requests/portal_detail.html",
        {
            "portal": org.portal_settings,
            "account": account,
            "thread": client_request,
            "thread_messages": selectors.request_thread(client_request=client_request, for_client=True),
            "form": form,
            "max_attachments": MAX_ATTACHMENTS,
        },
    )


@portal_view
def portal_request_attachment(
    request: HttpRequest,
    account: PortalAccount,
    accounts: list[PortalAccount],
    client_request_id: int,
    attachment_id: int,
) -> FileResponse:
    """A file of one of the person's requests (never of an internal note); 404 otherwise."""
    client_request = selectors.client_request_get_for_person(
        org=account.org, user=_user(request), client_request_id=client_request_id
    )
    attachment = selectors.request_attachment_get(
        client_request=client_request, attachment_id=attachment_id, for_client=True
    )
    return private_file_response(
        attachment.file, content_type=attachment.content_type, download_name=attachment.name, cache=CACHE_NONE
    )
