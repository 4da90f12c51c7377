"""Staff pages of client requests: the inbox, one request's thread (reply, internal note,
status, take) and its attachments. Thin: validate, call one action or selector, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portico.clients.models import NavigatorAssignment
from portico.core.errors import PorticoError
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.requests import actions, selectors
from portico.requests.models import Request, RequestKind, RequestStatus
from portico.requests.uploads import MAX_ATTACHMENTS

TABS = (
    ("mine", gettext_lazy("Assigned to me")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("all", gettext_lazy("All")),
)
AGES = (
    ("1", gettext_lazy("1 day")),
    ("3", gettext_lazy("3 days")),
    ("7", gettext_lazy("1 week")),
    ("30", gettext_lazy("1 month")),
)
STATUS_MOVES = {
    "mark_answered": actions.request_mark_answered,
    "close": actions.request_close,
    "reopen": actions.request_reopen,
}


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", ""), *RequestStatus.choices])
    kind = forms.IntegerField(required=False, min_value=1)
    age = forms.ChoiceField(required=False, choices=[("", ""), *AGES])


class ReplyForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Message"), max_length=actions.MAX_BODY, widget=forms.Textarea)
    internal = forms.BooleanField(label=gettext_lazy("Internal note (staff only)"), required=False)


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
    params = request.GET.copy()
    params.pop("cursor", None)
    filter_query = params.urlencode()
    context = {
        "page": page,
        "scope": scope,
        "tabs": TABS,
        "statuses": RequestStatus.choices,
        "kinds": list(RequestKind.objects.filter(org=org)),
        "ages": AGES,
        "selected": {k: request.GET.get(k, "") for k in ("status", "kind", "age")},
        "filtered": bool(filters.status or filters.kind or filters.older_than_days),
        "filter_query": filter_query,
    }
    return render(request, "requests/inbox.html", context)


def _detail_context(request: HttpRequest, req: Request, form: ReplyForm) -> dict[str, object]:
    navigators = list(
        NavigatorAssignment.objects.filter(client_id=req.client_id).select_related("user").order_by("user__full_name")
    )
    return {
        "req": req,
        "client": req.client,
        "navigators": navigators,
        "thread": selectors.request_thread(request=req, for_client=False),
        "form": form,
        "max_attachments": MAX_ATTACHMENTS,
        "can_mark_answered": "mark_answered" in _moves(req),
        "can_close": "close" in _moves(req),
        "can_reopen": "reopen" in _moves(req),
    }


def _moves(req: Request) -> set[str]:
    from portico.requests.models import REQUEST_MACHINE

    return set(REQUEST_MACHINE.table[req.status])


@org_view(Permission.REQUESTS_ANSWER)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    req = selectors.request_get(org=org, request_id=request_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        files = request.FILES.getlist("files")
        if len(files) > MAX_ATTACHMENTS:
            raise PorticoError(_("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS}, code="too_many")
        internal = form.cleaned_data["internal"]
        actions.request_reply(
            request=req,
            actor=org_actor(request),
            body=form.cleaned_data["body"],
            from_client=False,
            internal=internal,
            files=files,
        )
        messages.success(request, _("Internal note added.") if internal else _("Reply sent to the client."))
        return redirect("request_detail", org_slug=org.slug, request_id=req.pk)
    return render(request, "requests/detail.html", _detail_context(request, req, form))


@org_view(Permission.REQUESTS_ANSWER)
@require_POST
def request_status(request: HttpRequest, request_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    req = selectors.request_get(org=org, request_id=request_id)
    move = STATUS_MOVES.get(request.POST.get("move", ""))
    if move is None:
        messages.error(request, _("Choose what to do with the request."))
    else:
        move(request=req, actor=org_actor(request))
        messages.success(request, _("The request is now “%(status)s”.") % {"status": req.get_status_display()})
    return redirect("request_detail", org_slug=org.slug, request_id=req.pk)


@org_view(Permission.REQUESTS_ANSWER)
@require_POST
def request_take(request: HttpRequest, request_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    req = selectors.request_get(org=org, request_id=request_id)
    actions.request_take(request=req, actor=org_actor(request))
    messages.success(request, _("You are now %(client)s's navigator.") % {"client": req.client.name})
    return redirect("request_detail", org_slug=org.slug, request_id=req.pk)


@org_view(Permission.REQUESTS_ANSWER)
def request_attachment(request: HttpRequest, request_id: int, attachment_id: int) -> HttpResponseBase:
    """A file of the thread, only to staff of the request's organization, always as a download."""
    req = selectors.request_get(org=request.org, request_id=request_id)  # type: ignore[attr-defined]
    attachment = selectors.request_attachment_get(request=req, attachment_id=attachment_id, for_client=False)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class RequestKindForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New kind"), max_length=80)


@org_view(Permission.ORG_SETTINGS)
def request_kind_settings(request: HttpRequest) -> HttpResponse:
    """The kinds clients choose from when they make a request (defaults made on first visit)."""
    org = request.org  # type: ignore[attr-defined]
    form = RequestKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = actions.request_kind_create(
            org=org,
            actor=org_actor(request),
            name=form.cleaned_data["name"],
            position=RequestKind.objects.filter(org=org).count(),
        )
        messages.success(request, _("“%(name)s” added.") % {"name": kind.name})
        return redirect("request_kind_settings", org_slug=org.slug)
    if not RequestKind.objects.filter(org=org).exists():
        actions.request_kinds_ensure(org=org, actor=org_actor(request))
    return render(request, "requests/kinds.html", {"form": form, "kinds": list(RequestKind.objects.filter(org=org))})
