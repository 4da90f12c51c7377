"""Staff pages of client requests: the inbox, one request's thread (reply, internal note,
status, take), its attachments, and the request kinds settings. Thin: validate, call one
action or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, private_file_response
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.requests import actions, selectors
from portico.requests.forms import AGES, InboxFilterForm, ReplyForm, RequestKindForm
from portico.requests.models import REQUEST_MACHINE, ClientRequest, RequestStatus
from portico.requests.uploads import MAX_ATTACHMENTS

TABS = (
    ("mine", gettext_lazy("Assigned to me")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("all", gettext_lazy("All")),
)
STATUS_MOVES = {
    "mark_answered": actions.request_mark_answered,
    "close": actions.request_close,
    "reopen": actions.request_reopen,
}


@org_view(Permission.REQUESTS_ANSWER)
def request_inbox(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in selectors.SCOPES else "mine"
    form = InboxFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.RequestFilters(
        status=data.get("status") or "",
        kind=data.get("kind"),
        older_than_days=int(data["age"]) if data.get("age") else None,
    )
    page = selectors.request_inbox_page(
        org=org,
        user=request.user,  # type: ignore[arg-type]
        scope=scope,
        filters=filters,
        cursor=request.GET.get("cursor", ""),
    )
    context = {
        "page": page,
        "scope": scope,
        "tabs": TABS,
        "statuses": RequestStatus.choices,
        "kinds": list(selectors.request_kinds(org=org)),
        "ages": AGES,
        "selected": {k: request.GET.get(k, "") for k in ("status", "kind", "age")},
        "filtered": bool(filters.status or filters.kind or filters.older_than_days),
    }
    return render(request, "requests/inbox.html", context)


def _detail(request: HttpRequest, client_request: ClientRequest, form: ReplyForm) -> HttpResponse:
    moves = set(REQUEST_MACHINE.allowed_actions(client_request.status))
    return render(
        request,
        "requests/detail.html",
        {
            "req": client_request,
            "client": client_request.client,
            "thread": selectors.request_thread(client_request=client_request, for_client=False),
            "form": form,
            "max_attachments": MAX_ATTACHMENTS,
            "can_mark_answered": "mark_answered" in moves,
            "can_close": "close" in moves,
            "can_reopen": "reopen" in moves,
        },
    )


@org_view(Permission.REQUESTS_ANSWER)
def request_detail(request: HttpRequest, client_request_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client_request = selectors.client_request_get(org=org, client_request_id=client_request_id)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        internal = form.cleaned_data["internal"]
        actions.request_reply(
            client_request=client_request,
            actor=org_actor(request),
            body=form.cleaned_data["body"],
            from_client=False,
            internal=internal,
            files=form.cleaned_data["attachments"],
        )
        messages.success(request, _("Internal note added.") if internal else _("Reply sent to the client."))
        return redirect("request_detail", org_slug=org.slug, client_request_id=client_request.pk)
    return _detail(request, client_request, form)


@org_view(Permission.REQUESTS_ANSWER)
@require_POST
def request_status(request: HttpRequest, client_request_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client_request = selectors.client_request_get(org=org, client_request_id=client_request_id)
    move = STATUS_MOVES.get(request.POST.get("move", ""))
    if move is None:
        raise PorticoError(_("Choose what to do with the request."))
    move(client_request=client_request, actor=org_actor(request))
    messages.success(request, _("The request is now “%(status)s”.") % {"status": client_request.get_status_display()})
    return redirect("request_detail", org_slug=org.slug, client_request_id=client_request.pk)


@org_view(Permission.REQUESTS_ANSWER)
@require_POST
def request_take(request: HttpRequest, client_request_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client_request = selectors.client_request_get(org=org, client_request_id=client_request_id)
    actions.request_take(client_request=client_request, actor=org_actor(request))
    messages.success(request, _("You are now %(client)s's navigator.") % {"client": client_request.client.name})
    return redirect("request_detail", org_slug=org.slug, client_request_id=client_request.pk)


@org_view(Permission.REQUESTS_ANSWER)
def request_attachment(request: HttpRequest, client_request_id: int, attachment_id: int) -> FileResponse:
    """A file of the thread, only to staff of the request's organization, always as a download."""
    client_request = selectors.client_request_get(org=request.org, client_request_id=client_request_id)  # type: ignore[attr-defined]
    attachment = selectors.request_attachment_get(
        client_request=client_request, attachment_id=attachment_id, for_client=False
    )
    return private_file_response(
        attachment.file, content_type=attachment.content_type, download_name=attachment.name, cache=CACHE_NONE
    )


@org_view(Permission.ORG_SETTINGS)
def request_kind_settings(request: HttpRequest) -> HttpResponse:
    """The kinds clients choose from when they make a request."""
    org = request.org  # type: ignore[attr-defined]
    form = RequestKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = actions.request_kind_create(org=org, actor=org_actor(request), name=form.cleaned_data["name"])
        except PorticoError as exc:
            form.add_error("name", str(exc.message))
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": kind.name})
            return redirect("request_kind_settings", org_slug=org.slug)
    return render(request, "requests/kinds.html", {"form": form, "kinds": list(selectors.request_kinds(org=org))})
