"""Client record pages: list, create, the record page and its four sections, groups, reports,
and support's deleted-records view. Thin: validate, call one action or selector, render."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.accounts.models import User
from portico.audit.selectors import audit_timeline
from portico.clients import actions, bulk, selectors
from portico.clients.forms import (
    CaseNumberForm,
    ClientCreateForm,
    ClientFilterForm,
    ClientForm,
    ClientTypeCreateForm,
    ClientTypeForm,
    GroupCreateForm,
    GroupsForm,
    ImageForm,
    NavigatorForm,
    WarningCreateForm,
    WarningsForm,
)
from portico.clients.images import MAX_UPLOAD_BYTES
from portico.clients.models import (
    CLIENT_MACHINE,
    STATUS_CHANGE_ACTIONS,
    BulkJob,
    Client,
    ClientGroup,
    ClientStatus,
    ClientType,
    Group,
    WarningIndicator,
)
from portico.core.errors import PorticoError
from portico.orgs.context import SUPPORT, org_actor, org_view
from portico.orgs.permissions import Permission

SECTIONS = ("status", "groups", "navigators", "options")


def _filters(form: ClientFilterForm) -> selectors.ClientFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.ClientFilters(
        status=data.get("status") or "",
        client_type=data.get("client_type"),
        group=data.get("group"),
        navigator=data.get("navigator"),
        warning=data.get("warning"),
        record_type=data.get("record_type") or "",
        has_portal_account=data.get("has_portal_account"),
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
    )


def _list(request: HttpRequest, *, title: str, mine: bool = False) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    if request.GET.get("panel"):  # htmx: the filter panel's drop-downs, loaded when it opens
        panel = ClientFilterForm(request.GET or None, org=org)
        return render(request, "clients/list.html#filters", {"form": panel, "mine": mine})
    form = ClientFilterForm(request.GET or None, org=org, with_choices=bool(request.GET.get("show_filters")))
    filters = _filters(form)
    if mine:
        filters.navigator = request.user.pk
    sort = (form.cleaned_data.get("sort") if form.is_valid() else "") or "newest"
    page = selectors.client_page(org=org, filters=filters, sort=sort, cursor=request.GET.get("cursor", ""))
    next_query = ""
    if page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        next_query = params.urlencode()
    # Bulk "Invite to portal" over the selection (or all matching): for who may send, once the portal is set up.
    can_invite = org.portal_enabled and request.org_ctx.has(Permission.INVITATIONS_SEND)  # type: ignore[attr-defined]
    filter_query = ""
    if can_invite:
        selected = request.GET.copy()
        for key in ("cursor", "panel", "show_filters"):
            selected.pop(key, None)
        if mine:
            selected["navigator"] = str(request.user.pk)
        filter_query = selected.urlencode()
    context = {
        "form": form,
        "page": page,
        "next_query": next_query,
        "title": title,
        "mine": mine,
        "can_invite": can_invite,
        "filter_query": filter_query,
    }
    template = "clients/list.html#rows" if request.htmx and request.GET.get("cursor") else "clients/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view(Permission.CLIENTS_VIEW)
def client_list(request: HttpRequest) -> HttpResponse:
    return _list(request, title=_("Clients"))


@org_view(Permission.CLIENTS_VIEW)
def my_clients(request: HttpRequest) -> HttpResponse:
    return _list(request, title=_("My clients"), mine=True)


@org_view(Permission.CLIENTS_CREATE)
def client_create(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = ClientCreateForm(request.POST or None, org=org)
    duplicates: list[Client] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        duplicates = selectors.client_duplicates(org=org, email=data["email"], phone=data["phone"])
        if duplicates and not data.pop("confirm_duplicate"):
            # Shown once: the same form submitted again (now confirmed) creates the record.
            confirmed = request.POST.copy()
            confirmed["confirm_duplicate"] = "on"
            form = ClientCreateForm(confirmed, org=org)
            form.is_valid()
        else:
            data.pop("confirm_duplicate", None)
            client = actions.client_create(org=org, actor=org_actor(request), **data)
            messages.success(
                request,
                _("%(name)s was created with case number %(case)s.")
                % {"name": client.name, "case": client.case_number},
            )
            return redirect("client_detail", org_slug=org.slug, client_id=client.pk)
    return render(request, "clients/create.html", {"form": form, "duplicates": duplicates})


@org_view(Permission.CLIENTS_VIEW)
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    ctx = request.org_ctx  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    section = request.GET.get("section", "status")
    section = section if section in SECTIONS else "status"
    context: dict[str, Any] = {
        "client": client,
        "section": section,
        **selectors.client_record_sections(client=client),
        "status_actions": [
            (action, CLIENT_MACHINE.verbs.get(action, action), CLIENT_MACHINE.table[client.status][action])
            for action in STATUS_CHANGE_ACTIONS.get(ClientStatus(client.status), [])
        ],
        "timeline": audit_timeline(org=org, target=client, limit=30),
        "can_change_case_number": ctx.has(Permission.CLIENTS_CHANGE_CASE_NUMBER),
    }
    if section == "status":
        from portico.invitations.views import client_portal_info

        context.update(client_portal_info(client=client))
        context["type_form"] = ClientTypeForm(org=org, initial={"client_type": client.client_type_id})
        context["warnings_form"] = WarningsForm(org=org, initial={"warnings": [w["id"] for w in context["warnings"]]})
    elif section == "groups":
        context["groups_form"] = GroupsForm(org=org, initial={"groups": [g.pk for g in context["groups"]]})
    elif section == "navigators" and ctx.has(Permission.NAVIGATORS_ASSIGN):
        context["navigator_form"] = NavigatorForm(org=org, exclude={a.user_id for a in context["navigators"]})
    template = "clients/detail.html#section" if request.htmx else "clients/detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view(Permission.CLIENTS_EDIT)
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    fields = (
        "kind",
        "record_type",
        "name",
        "email",
        "phone",
        "date_of_birth",
        "address",
        "language",
        "client_type",
        "tax_id",
        "notes",
    )
    form = ClientForm(request.POST or None, org=org, initial={f: getattr(client, f) for f in fields})
    for field in form.fields.values():  # the values this person saw travel with the form
        field.show_hidden_initial = True
    if request.method == "POST" and form.is_valid():
        # Only what this person changed, so a stale form cannot put back someone else's edit.
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        actions.client_update(client=client, actor=org_actor(request), **changed)
        messages.success(request, _("Saved."))
        return redirect("client_detail", org_slug=org.slug, client_id=client.pk)
    return render(request, "clients/edit.html", {"client": client, "form": form})


def _back(request: HttpRequest, client: Client, section: str = "status") -> HttpResponse:
    return redirect(reverse("client_detail", args=[client.org.slug, client.pk]) + f"?section={section}")


@require_POST
@org_view(Permission.CLIENTS_CHANGE_STATUS)
def client_status(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    action = request.POST.get("action", "")
    if action not in {"archive", "unarchive", "deactivate", "reactivate", "close", "reopen"}:
        raise PorticoError(_("Choose a status change."))
    actions.client_transition(client=client, action=action, actor=org_actor(request))
    messages.success(request, _("Status is now %(status)s.") % {"status": client.get_status_display()})
    return _back(request, client)


@require_POST
@org_view(Permission.CLIENTS_CHANGE_STATUS)  # it makes the client active: a status change
def client_profile_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    actions.client_profile_create(client=client, actor=org_actor(request))
    messages.success(request, _("Profile created; the client is active."))
    return _back(request, client)


@require_POST
@org_view(Permission.CLIENTS_EDIT)
def client_set_type(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = ClientTypeForm(request.POST, org=org)
    if not form.is_valid():
        raise PorticoError(_("Choose one of this organization's client types."))
    actions.client_update(client=client, actor=org_actor(request), client_type=form.cleaned_data["client_type"])
    messages.success(request, _("Client type saved."))
    return _back(request, client)


@require_POST
@org_view(Permission.CLIENTS_EDIT)
def client_set_warnings(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = WarningsForm(request.POST, org=org)
    if not form.is_valid():
        raise PorticoError(_("Choose this organization's warning indicators."))
    actions.client_set_warnings(client=client, actor=org_actor(request), warnings=list(form.cleaned_data["warnings"]))
    messages.success(request, _("Warning indicators saved."))
    return _back(request, client)


@org_view(Permission.CLIENTS_CHANGE_CASE_NUMBER)
def client_case_number(request: HttpRequest, client_id: int) -> HttpResponse:
    """Inline edit: GET gives the input (htmx swaps it in), POST saves and gives the number back."""
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    if request.method == "POST":
        form = CaseNumberForm(request.POST)
        error = ""
        if form.is_valid():
            try:
                actions.client_change_case_number(
                    client=client, actor=org_actor(request), case_number=form.cleaned_data["case_number"]
                )
            except PorticoError as exc:
                error = str(exc.message)
        else:
            error = str(form.errors["case_number"][0])
        if error and request.htmx:  # type: ignore[attr-defined]
            return render(
                request,
                "clients/_case_number_edit.html",
                {"client": client, "error": error, "value": request.POST.get("case_number", "")},
            )
        if error:
            messages.error(request, error)
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "clients/_case_number.html", {"client": client, "can_change": True})
        return _back(request, client)
    return render(request, "clients/_case_number_edit.html", {"client": client, "value": client.case_number})


@org_view(Permission.GROUPS_MANAGE)
def client_groups(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = GroupsForm(request.POST, org=org)
    shown = GroupsForm({"groups": request.POST.getlist("shown")}, org=org)
    if request.method != "POST" or not form.is_valid() or not shown.is_valid():
        return _back(request, client, "groups")
    # Apply what this person changed against what they saw, so a bulk add made meanwhile stays.
    chosen, seen = set(form.cleaned_data["groups"]), set(shown.cleaned_data["groups"])
    actions.client_change_groups(
        client=client, actor=org_actor(request), add=list(chosen - seen), remove=list(seen - chosen)
    )
    messages.success(request, _("Groups saved."))
    return _back(request, client, "groups")


@require_POST
@org_view(Permission.NAVIGATORS_ASSIGN)
def client_navigator_assign(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = NavigatorForm(request.POST, org=org, exclude=set())
    if not form.is_valid():
        raise PorticoError(_("Choose a staff member of this organization."))
    navigator = get_object_or_404(User, pk=form.cleaned_data["navigator"])
    actions.client_assign_navigator(client=client, actor=org_actor(request), navigator=navigator)
    messages.success(request, _("%(name)s is now assigned.") % {"name": navigator})
    return _back(request, client, "navigators")


@require_POST
@org_view(Permission.NAVIGATORS_ASSIGN)
def client_navigator_unassign(request: HttpRequest, client_id: int, user_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    navigator = get_object_or_404(User, pk=user_id, assigned_clients=client)
    actions.client_unassign_navigator(client=client, actor=org_actor(request), navigator=navigator)
    messages.success(request, _("%(name)s is no longer assigned.") % {"name": navigator})
    return _back(request, client, "navigators")


@require_POST
@org_view(Permission.CLIENTS_EDIT)
def client_image(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    # Refuse an oversized body before Django reads it (images.py checks the file itself too).
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise PorticoError(_("Images can be at most 5 MB."), code="too_big")
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        raise PorticoError(_("Choose an image file to upload."))
    actions.client_set_image(client=client, actor=org_actor(request), upload=form.cleaned_data["image"])
    messages.success(request, _("Image uploaded."))
    return _back(request, client)


@org_view(Permission.CLIENTS_VIEW)
def client_image_file(request: HttpRequest, client_id: int, size: str) -> HttpResponseBase:
    """The record image or thumbnail, only to staff of the client's organization."""
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    field = client.thumbnail if size == "thumb" else client.image
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type="image/png" if field.name.endswith(".png") else "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@org_view(Permission.CLIENTS_DELETE)
def client_delete(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    if request.method == "POST":
        actions.client_delete(client=client, actor=org_actor(request))
        messages.success(
            request, _("%(name)s was deleted. Support can restore the record if needed.") % {"name": client.name}
        )
        return redirect("client_list", org_slug=org.slug)
    return render(request, "clients/delete.html", {"client": client})


@org_view(Permission.ORG_SETTINGS)
def client_setup(request: HttpRequest) -> HttpResponse:
    """Admins configure the client types and warning indicators of the organization."""
    org = request.org  # type: ignore[attr-defined]
    type_form = ClientTypeCreateForm(request.POST if "add_type" in request.POST else None)
    warning_form = WarningCreateForm(request.POST if "add_warning" in request.POST else None)
    try:
        if type_form.is_bound and type_form.is_valid():
            actions.client_type_create(
                org=org, actor=org_actor(request), name=type_form.cleaned_data["name"], position=99
            )
            messages.success(request, _("Client type added."))
            return redirect("client_setup", org_slug=org.slug)
        if warning_form.is_bound and warning_form.is_valid():
            actions.warning_create(org=org, actor=org_actor(request), **warning_form.cleaned_data)
            messages.success(request, _("Warning indicator added."))
            return redirect("client_setup", org_slug=org.slug)
    except PorticoError as exc:
        (type_form if type_form.is_bound else warning_form).add_error(None, str(exc.message))
    return render(
        request,
        "clients/setup.html",
        {
            "types": ClientType.objects.filter(org=org),
            "warnings": WarningIndicator.objects.filter(org=org),
            "type_form": type_form,
            "warning_form": warning_form,
        },
    )


# --- groups page ---


@org_view(Permission.CLIENTS_VIEW)
def group_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = GroupCreateForm(request.POST or None)
    if request.method == "POST":
        request.org_ctx.require(Permission.GROUPS_MANAGE)  # type: ignore[attr-defined]
        if form.is_valid():
            try:
                group = actions.group_create(org=org, actor=org_actor(request), name=form.cleaned_data["name"])
            except PorticoError as exc:
                form.add_error("name", str(exc.message))
            else:
                messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
                return redirect("group_list", org_slug=org.slug)
    groups = (
        Group.objects.filter(org=org)
        .annotate(size=Count("clientgroup", filter=Q(clientgroup__client__deleted_at=None)))
        .order_by("name")
    )
    return render(request, "clients/group_list.html", {"groups": groups, "form": form})


@org_view(Permission.CLIENTS_VIEW)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's page: its members, and the bulk action over a filtered client list."""
    org = request.org  # type: ignore[attr-defined]
    group = get_object_or_404(Group, org=org, pk=group_id)
    form = ClientFilterForm(request.GET or None, org=org)
    filters = _filters(form)
    page = selectors.client_page(org=org, filters=filters, cursor=request.GET.get("cursor", ""))
    member_ids = set(
        ClientGroup.objects.filter(group=group, client__in=[c.pk for c in page.rows]).values_list(
            "client_id", flat=True
        )
    )
    next_query = ""
    if page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        next_query = params.urlencode()
    return render(
        request,
        "clients/group_detail.html",
        {
            "group": group,
            "form": form,
            "page": page,
            "member_ids": member_ids,
            "next_query": next_query,
            "filter_query": request.GET.urlencode(),
            "size": ClientGroup.objects.filter(group=group, client__deleted_at=None).count(),
            "jobs": BulkJob.objects.filter(group=group).order_by("-created_at")[:5],
        },
    )


@require_POST
@org_view(Permission.GROUPS_MANAGE)
def group_bulk(request: HttpRequest, group_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    group = get_object_or_404(Group, org=org, pk=group_id)
    operation = request.POST.get("operation", "")
    if request.POST.get("scope") == "all":
        form = ClientFilterForm(QueryDict(request.POST.get("filter_query", "")), org=org)
        if not form.is_valid():  # never let a broken filter widen "all matching" to everyone
            fields = ", ".join(str(form.fields[name].label) for name in form.errors if name in form.fields)
            raise PorticoError(_("The filter is not valid (%(fields)s). Fix it and try again.") % {"fields": fields})
        outcome = bulk.group_bulk_start(
            group=group, actor=org_actor(request), operation=operation, filters=_filters(form)
        )
    else:
        try:
            ids = [int(v) for v in request.POST.getlist("client")]
        except ValueError:
            ids = []
        if not ids:
            raise PorticoError(_("Select at least one client, or choose all matching clients."))
        outcome = bulk.group_bulk_start(group=group, actor=org_actor(request), operation=operation, client_ids=ids)
    if isinstance(outcome, BulkJob):
        return redirect("group_job", org_slug=org.slug, job_id=outcome.pk)
    messages.success(
        request,
        (
            _("%(changed)s added, %(unchanged)s already in the group, %(skipped)s skipped (not found).")
            if operation == "add"
            else _("%(changed)s removed, %(unchanged)s were not in the group, %(skipped)s skipped (not found).")
        )
        % dataclasses.asdict(outcome),
    )
    return redirect("group_detail", org_slug=org.slug, group_id=group.pk)


@org_view(Permission.CLIENTS_VIEW)
def group_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(BulkJob.objects.select_related("group"), org=request.org, pk=job_id)  # type: ignore[attr-defined]
    template = "clients/group_job.html#progress" if request.htmx else "clients/group_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


# --- reports ---


@org_view(Permission.CLIENTS_VIEW)
def reports(request: HttpRequest) -> HttpResponse:
    """Counts by status, type and group. Closed and inactive clients count like any other."""
    org = request.org  # type: ignore[attr-defined]
    live = selectors.client_queryset(org=org)
    by_status = dict(live.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    status_rows = [(label, by_status.get(value, 0)) for value, label in ClientStatus.choices]
    type_rows = list(
        live.values_list("client_type__name")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("client_type__name", "n")
    )
    group_rows = list(
        Group.objects.filter(org=org)
        .annotate(n=Count("clientgroup", filter=Q(clientgroup__client__deleted_at=None)))
        .order_by("-n")
        .values_list("name", "n")
    )
    peak = max([n for _label, n in status_rows] + [1])
    return render(
        request,
        "clients/reports.html",
        {
            "status_rows": status_rows,
            "type_rows": type_rows,
            "group_rows": group_rows,
            "peak": peak,
            "total": sum(by_status.values()),
        },
    )


# --- support: deleted records ---


@org_view(SUPPORT)
def deleted_clients(request: HttpRequest) -> HttpResponse:
    return render(request, "clients/deleted.html", {"clients": selectors.deleted_client_list(org=request.org)})  # type: ignore[attr-defined]


@require_POST
@org_view(SUPPORT)
def client_restore(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.deleted_client_get(org=org, client_id=client_id)
    actions.client_restore(client=client, actor=org_actor(request))
    messages.success(request, _("%(name)s was restored.") % {"name": client.name})
    return redirect("client_detail", org_slug=org.slug, client_id=client.pk)
