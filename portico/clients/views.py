"""Client record pages: the list, create, edit, the record's section forms (status, type,
warnings, case number, groups, navigators, image), delete, groups and their bulk changes,
reports, client set-up and support's deleted records. The record page itself shows several apps'
parts and lives in portico.web. Thin: validate, call one action or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
    client_selection_from_post,
)
from portico.clients.images import MAX_UPLOAD_BYTES
from portico.clients.models import Client
from portico.clients.reference import client_reference
from portico.core.errors import PorticoError
from portico.core.files import private_file_response
from portico.jobs.selectors import job_list
from portico.orgs.context import SUPPORT, org_actor, org_view
from portico.orgs.permissions import Permission
from portico.orgs.selectors import staff_member_get


def _list(request: HttpRequest, *, title: str, mine: bool = False) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    if request.GET.get("panel"):  # htmx: the filter panel's drop-downs, loaded when it opens
        panel = ClientFilterForm(request.GET or None, ref=client_reference(org=org))
        return render(request, "clients/list.html#filters", {"form": panel, "mine": mine})
    with_choices = bool(request.GET.get("show_filters"))
    form = ClientFilterForm(request.GET or None, ref=client_reference(org=org) if with_choices else None)
    filters = form.filters()
    if mine:
        filters.navigator = request.user.pk
    page = selectors.client_page(org=org, filters=filters, sort=form.ordering(), cursor=request.GET.get("cursor", ""))
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
    ref = client_reference(org=org)
    form = ClientCreateForm(request.POST or None, ref=ref)
    duplicates: list[Client] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        confirmed = data.pop("confirm_duplicate")
        duplicates = selectors.client_duplicates(org=org, email=data["email"].strip(), phone=data["phone"].strip())
        if duplicates and not confirmed:
            # Shown once: the same form submitted again (now confirmed) creates the record.
            post = request.POST.copy()
            post["confirm_duplicate"] = "on"
            form = ClientCreateForm(post, ref=ref)
            form.is_valid()
        else:
            try:
                client = actions.client_create(org=org, actor=org_actor(request), **data)
            except PorticoError as exc:
                form.add_refusal(exc)
            else:
                messages.success(
                    request,
                    _("%(name)s was created with case number %(case)s.")
                    % {"name": client.name, "case": client.case_number},
                )
                return redirect("client_detail", org_slug=org.slug, client_id=client.pk)
    return render(request, "clients/create.html", {"form": form, "duplicates": duplicates})


@org_view(Permission.CLIENTS_EDIT)
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    initial = {f: getattr(client, f) for f in actions.EDITABLE_FIELDS}
    initial["client_type"] = client.client_type_id
    form = ClientForm(request.POST or None, ref=client_reference(org=org), initial=initial)
    for field in form.fields.values():  # the values this person saw travel with the form
        field.show_hidden_initial = True
    if request.method == "POST" and form.is_valid():
        # Only what this person changed, so a stale form cannot put back someone else's edit.
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            actions.client_update(client=client, actor=org_actor(request), **changed)
        except PorticoError as exc:
            form.add_refusal(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("client_detail", org_slug=org.slug, client_id=client.pk)
    return render(request, "clients/edit.html", {"client": client, "form": form})


def _back(client: Client, section: str = "status") -> HttpResponse:
    return redirect(reverse("client_detail", args=[client.org.slug, client.pk]) + f"?section={section}")


@require_POST
@org_view(Permission.CLIENTS_CHANGE_STATUS)
def client_status(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    actions.client_status_change(client=client, action=request.POST.get("action", ""), actor=org_actor(request))
    messages.success(request, _("Status is now %(status)s.") % {"status": client.get_status_display()})
    return _back(client)


@require_POST
@org_view(Permission.CLIENTS_CHANGE_STATUS)  # it makes the client active: a status change
def client_profile_create(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    actions.client_profile_create(client=client, actor=org_actor(request))
    messages.success(request, _("Profile created; the client is active."))
    return _back(client)


@require_POST
@org_view(Permission.CLIENTS_EDIT)
def client_set_type(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = ClientTypeForm(request.POST, ref=client_reference(org=org))
    if not form.is_valid():
        raise PorticoError(_("Choose one of this organization's client types."))
    actions.client_update(client=client, actor=org_actor(request), client_type=form.cleaned_data["client_type"])
    messages.success(request, _("Client type saved."))
    return _back(client)


@require_POST
@org_view(Permission.CLIENTS_EDIT)
def client_set_warnings(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = WarningsForm(request.POST, ref=client_reference(org=org))
    if not form.is_valid():
        raise PorticoError(_("Choose this organization's warning indicators."))
    warnings = selectors.warnings_in_org(org=org, ids=form.cleaned_data["warnings"])
    actions.client_set_warnings(client=client, actor=org_actor(request), warnings=warnings)
    messages.success(request, _("Warning indicators saved."))
    return _back(client)


@org_view(Permission.CLIENTS_CHANGE_CASE_NUMBER)
def client_case_number(request: HttpRequest, client_id: int) -> HttpResponse:
    """Inline edit: GET gives the input (htmx swaps it in), POST saves and gives the number back."""
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    if request.method != "POST":
        return render(request, "clients/_case_number_edit.html", {"client": client, "value": client.case_number})
    form = CaseNumberForm(request.POST)
    error = "" if form.is_valid() else str(form.errors["case_number"][0])
    if not error:
        try:
            actions.client_change_case_number(
                client=client, actor=org_actor(request), case_number=form.cleaned_data["case_number"]
            )
        except PorticoError as exc:
            error = str(exc.message)
    if request.htmx:  # type: ignore[attr-defined]
        if error:
            context = {"client": client, "error": error, "value": request.POST.get("case_number", "")}
            return render(request, "clients/_case_number_edit.html", context)
        return render(request, "clients/_case_number.html", {"client": client, "can_change": True})
    if error:
        messages.error(request, error)
    return _back(client)


@org_view(Permission.GROUPS_MANAGE)
def client_groups(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    ref = client_reference(org=org)
    form = GroupsForm(request.POST, ref=ref)
    shown = GroupsForm({"groups": request.POST.getlist("shown")}, ref=ref)
    if request.method != "POST" or not form.is_valid() or not shown.is_valid():
        return _back(client, "groups")
    # Apply what this person changed against what they saw, so a bulk add made meanwhile stays.
    chosen, seen = set(form.cleaned_data["groups"]), set(shown.cleaned_data["groups"])
    actions.client_change_groups(
        client=client,
        actor=org_actor(request),
        add=selectors.groups_in_org(org=org, ids=list(chosen - seen)),
        remove=selectors.groups_in_org(org=org, ids=list(seen - chosen)),
    )
    messages.success(request, _("Groups saved."))
    return _back(client, "groups")


@require_POST
@org_view(Permission.NAVIGATORS_ASSIGN)
def client_navigator_assign(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.client_get(org=org, client_id=client_id)
    form = NavigatorForm(request.POST, ref=client_reference(org=org))
    if not form.is_valid():
        raise PorticoError(_("Choose a staff member of this organization."))
    navigator = staff_member_get(org=org, user_id=form.cleaned_data["navigator"])
    actions.client_assign_navigator(client=client, actor=org_actor(request), navigator=navigator)
    messages.success(request, _("%(name)s is now assigned.") % {"name": navigator})
    return _back(client, "navigators")


@require_POST
@org_view(Permission.NAVIGATORS_ASSIGN)
def client_navigator_unassign(request: HttpRequest, client_id: int, user_id: int) -> HttpResponse:
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    navigator = selectors.client_navigator_get(client=client, user_id=user_id)
    actions.client_unassign_navigator(client=client, actor=org_actor(request), navigator=navigator)
    messages.success(request, _("%(name)s is no longer assigned.") % {"name": navigator})
    return _back(client, "navigators")


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
    return _back(client)


@org_view(Permission.CLIENTS_VIEW)
def client_image_file(request: HttpRequest, client_id: int, size: str) -> FileResponse:
    """The record image or thumbnail, only to staff of the client's organization."""
    client = selectors.client_get(org=request.org, client_id=client_id)  # type: ignore[attr-defined]
    return private_file_response(client.thumbnail if size == "thumb" else client.image)


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
            actions.client_type_create(org=org, actor=org_actor(request), name=type_form.cleaned_data["name"])
            messages.success(request, _("Client type added."))
            return redirect("client_setup", org_slug=org.slug)
        if warning_form.is_bound and warning_form.is_valid():
            actions.warning_create(org=org, actor=org_actor(request), **warning_form.cleaned_data)
            messages.success(request, _("Warning indicator added."))
            return redirect("client_setup", org_slug=org.slug)
    except PorticoError as exc:
        (type_form if type_form.is_bound else warning_form).add_error(None, str(exc.message))
    ref = client_reference(org=org)
    return render(
        request,
        "clients/setup.html",
        {"ref": ref, "warnings": ref.warnings, "type_form": type_form, "warning_form": warning_form},
    )


# --- groups ---


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
    return render(request, "clients/group_list.html", {"groups": selectors.group_list(org=org), "form": form})


@org_view(Permission.CLIENTS_VIEW)
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's page: its members, and the bulk action over a filtered client list."""
    org = request.org  # type: ignore[attr-defined]
    group = selectors.group_get(org=org, group_id=group_id)
    form = ClientFilterForm(request.GET or None, ref=client_reference(org=org))
    page = selectors.client_page(org=org, filters=form.filters(), cursor=request.GET.get("cursor", ""))
    return render(
        request,
        "clients/group_detail.html",
        {
            "group": group,
            "form": form,
            "page": page,
            "member_ids": selectors.group_member_ids(group=group, clients=page.rows),
            "filter_query": request.GET.urlencode(),
            "size": selectors.group_size(group=group),
            "jobs": job_list(org=org, kind=bulk.KIND, group=group.pk),
        },
    )


@org_view(Permission.GROUPS_MANAGE)
def group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    """GET asks (saying how many clients leave the group); POST deletes the group, not its clients."""
    org = request.org  # type: ignore[attr-defined]
    group = selectors.group_get(org=org, group_id=group_id)
    if request.method == "POST":
        actions.group_delete(group=group, actor=org_actor(request))
        messages.success(request, _("Group “%(name)s” deleted.") % {"name": group.name})
        return redirect("group_list", org_slug=org.slug)
    return render(request, "clients/group_delete.html", {"group": group, "size": selectors.group_size(group=group)})


@require_POST
@org_view(Permission.GROUPS_MANAGE)
def group_bulk(request: HttpRequest, group_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    group = selectors.group_get(org=org, group_id=group_id)
    operation = request.POST.get("operation", "")
    ids, filters = client_selection_from_post(request.POST, org=org)
    job = bulk.group_bulk_start(
        group=group, actor=org_actor(request), operation=operation, client_ids=ids, filters=filters
    )
    if not job.finished:
        return redirect("job_detail", org_slug=org.slug, job_id=job.pk)
    counts = {
        "changed": job.count("changed"),
        "unchanged": job.count("unchanged"),
        "skipped": selectors.job_clients_not_found(job),
    }
    messages.success(
        request,
        (
            _("%(changed)s added, %(unchanged)s already in the group, %(skipped)s skipped (not found).")
            if operation == "add"
            else _("%(changed)s removed, %(unchanged)s were not in the group, %(skipped)s skipped (not found).")
        )
        % counts,
    )
    return redirect("group_detail", org_slug=org.slug, group_id=group.pk)


# --- reports ---


@org_view(Permission.CLIENTS_VIEW)
def reports(request: HttpRequest) -> HttpResponse:
    """Counts by status, type and group. Closed and inactive clients count like any other."""
    return render(request, "clients/reports.html", selectors.client_reports(org=request.org))  # type: ignore[attr-defined]


# --- support: deleted records ---


@org_view(SUPPORT)
def deleted_clients(request: HttpRequest) -> HttpResponse:
    page = selectors.deleted_client_page(org=request.org, cursor=request.GET.get("cursor", ""))  # type: ignore[attr-defined]
    return render(request, "clients/deleted.html", {"page": page})


@require_POST
@org_view(SUPPORT)
def client_restore(request: HttpRequest, client_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    client = selectors.deleted_client_get(org=org, client_id=client_id)
    actions.client_restore(client=client, actor=org_actor(request))
    messages.success(request, _("%(name)s was restored.") % {"name": client.name})
    return redirect("client_detail", org_slug=org.slug, client_id=client.pk)
