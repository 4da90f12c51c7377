"""Staff pages of agreements (``agreements.manage``): templates (list, new, edit with versions,
archive, preview with a real client as a page and as a PDF) and agreements (list, new for a
client, page with the event trail and the chain's verdict, edit a draft, send and void with
confirmation, the document and signed PDFs). Thin: validate, call one action or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portico.agreements import actions, selectors
from portico.agreements.chain import chain_verify
from portico.agreements.forms import (
    AgreementEditForm,
    AgreementFilterForm,
    AgreementNewForm,
    PreviewForm,
    TemplateForm,
    VoidForm,
)
from portico.agreements.merge import FIELDS, MergeSource, merge_for
from portico.agreements.models import AGREEMENT_MACHINE, Agreement, AgreementState, AgreementTemplate
from portico.agreements.pdf import agreement_pdf
from portico.clients.models import Client
from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, pdf_download_response, private_file_response
from portico.estimates.models import Estimate
from portico.orgs.context import org_actor, org_view
from portico.orgs.models import Organization
from portico.orgs.permissions import Permission

MISSING = "[%(field)s]"  # a preview shows an empty field as its name


# --- templates ---


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_template_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    archived = request.GET.get("archived") == "1"
    return render(
        request,
        "agreements/template_list.html",
        {"templates": list(selectors.templates_of_org(org=org, archived=archived)), "archived": archived},
    )


def _template_page(request: HttpRequest, form: TemplateForm, **context: Any) -> HttpResponse:
    return render(request, "agreements/template_edit.html", {"form": form, "fields": FIELDS.items(), **context})


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_template_new(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = actions.agreement_template_create(org=org, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            form.add_error(exc.extra.get("field") if exc.extra.get("field") in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("agreement_template_edit", org_slug=org.slug, agreement_template_id=template.pk)
    return _template_page(request, form)


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_template_edit(request: HttpRequest, agreement_template_id: int) -> HttpResponse:
    """Edit a template: saving a changed title or text makes a new version (all are listed)."""
    org = request.org  # type: ignore[attr-defined]
    template = selectors.template_get(org=org, template_id=agreement_template_id)
    latest = selectors.template_version_latest(template=template)
    initial = {"name": template.name, "title": latest.title, "body": latest.body, "is_default": template.is_default}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and template.archived_at is None and form.is_valid():
        try:
            actions.agreement_template_update(template=template, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            form.add_error(exc.extra.get("field") if exc.extra.get("field") in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("agreement_template_edit", org_slug=org.slug, agreement_template_id=template.pk)
    return _template_page(
        request, form, template=template, versions=selectors.template_versions(template=template), latest=latest
    )


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_template_archive(request: HttpRequest, agreement_template_id: int) -> HttpResponse:
    """A confirmation page (GET), then the archive (POST)."""
    org = request.org  # type: ignore[attr-defined]
    template = selectors.template_get(org=org, template_id=agreement_template_id, live=True)
    if request.method == "POST":
        actions.agreement_template_archive(template=template, actor=org_actor(request))
        messages.success(request, _("Template “%(name)s” archived.") % {"name": template.name})
        return redirect("agreement_template_list", org_slug=org.slug)
    return render(request, "agreements/template_archive.html", {"template": template})


def _preview_source(org: Organization, request: HttpRequest) -> tuple[Client | None, Estimate | None]:
    form = PreviewForm(request.GET)
    client_id = form.cleaned_data.get("client") if form.is_valid() else None
    if not client_id:
        return None, None
    client = client_get(org=org, client_id=client_id)
    return client, selectors.latest_approved_estimate(client=client)


def _preview(org: Organization, template: AgreementTemplate, request: HttpRequest) -> dict[str, Any]:
    client, estimate = _preview_source(org, request)
    version = selectors.template_version_latest(template=template)
    language = (client.language if client else "") or org.language or request.LANGUAGE_CODE
    title, body = merge_for(
        MergeSource(org=org, client=client, estimate=estimate, agreement_label="A-…"),
        version.title,
        version.body,
        language=language,
        missing=MISSING,
    )
    return {"client": client, "estimate": estimate, "version": version, "title": title, "body": body, "lang": language}


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_template_preview(request: HttpRequest, agreement_template_id: int) -> HttpResponse:
    """The latest version merged with a real client's data (``?client=<id>``) and their latest
    approved estimate; an empty field shows as its name."""
    org = request.org  # type: ignore[attr-defined]
    template = selectors.template_get(org=org, template_id=agreement_template_id)
    return render(
        request,
        "agreements/template_preview.html",
        {"template": template, "clients": selectors.preview_clients(org=org), **_preview(org, template, request)},
    )


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_template_preview_pdf(request: HttpRequest, agreement_template_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    template = selectors.template_get(org=org, template_id=agreement_template_id)
    p = _preview(org, template, request)
    data = agreement_pdf(
        org=org,
        title=p["title"],
        body=p["body"],
        label="",
        client_name=p["client"].name if p["client"] else "",
        language=p["lang"],
        draft=True,
    )
    return pdf_download_response(data, f"preview-{template.pk}-v{p['version'].number}.pdf")


# --- agreements ---


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = AgreementFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AgreementFilters(state=data.get("state") or "", client=data.get("client"))
    page = selectors.agreement_page(org=org, filters=filters, cursor=request.GET.get("cursor", ""))
    return render(
        request,
        "agreements/list.html",
        {
            "page": page,
            "states": AgreementState.choices,
            "filters": filters,
            "filtered": bool(filters.state or filters.client),
        },
    )


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_new(request: HttpRequest) -> HttpResponse:
    """A new agreement for ``?client=<id>`` (the record page links here): a template, and the
    estimate (the latest approved one is chosen)."""
    org = request.org  # type: ignore[attr-defined]
    chosen = PreviewForm(request.GET)
    client_id = chosen.cleaned_data.get("client") if chosen.is_valid() else None
    if not client_id:
        return render(request, "agreements/new_choose.html", {"clients": selectors.preview_clients(org=org)})
    client = client_get(org=org, client_id=client_id)
    templates = list(selectors.templates_of_org(org=org))
    estimates = selectors.approved_estimates(client=client)
    form = AgreementNewForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        template = selectors.template_get(org=org, template_id=form.cleaned_data["template"], live=True)
        estimate_id = form.cleaned_data.get("estimate")
        estimate = selectors.estimate_of_client_get(client=client, estimate_id=estimate_id) if estimate_id else None
        try:
            agreement = actions.agreement_create(
                client=client, template=template, estimate=estimate, actor=org_actor(request)
            )
        except PorticoError as exc:
            error = str(exc.message)
        else:
            messages.success(request, _("Agreement %(label)s saved as a draft.") % {"label": agreement.label})
            return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    elif request.method == "POST":
        error = _("Choose a template.")
    return render(
        request,
        "agreements/new.html",
        {"client": client, "templates": templates, "estimates": estimates, "error": error},
    )


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    agreement = selectors.agreement_get(org=org, agreement_id=agreement_id)
    moves = set(AGREEMENT_MACHINE.allowed_actions(agreement.state))
    events = selectors.agreement_events(agreement=agreement)
    return render(
        request,
        "agreements/detail.html",
        {
            "a": agreement,
            "events": events,
            "verdict": chain_verify(agreement, events),
            "can_edit": agreement.state == AgreementState.DRAFT,
            "can_send": "send" in moves,
            "can_void": "void" in moves,
            "portal_url": selectors.portal_agreement_url(agreement),
        },
    )


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Edit a draft's merged text; a sent or signed agreement is never edited."""
    org = request.org  # type: ignore[attr-defined]
    agreement = selectors.agreement_get(org=org, agreement_id=agreement_id)
    if agreement.state != AgreementState.DRAFT:
        messages.error(request, _("Only a draft can be changed. Void this agreement and make a new one."))
        return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    form = AgreementEditForm(request.POST or None, initial={"title": agreement.title, "body": agreement.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.agreement_update(agreement=agreement, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    return render(request, "agreements/edit.html", {"a": agreement, "form": form})


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_send(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """A confirmation page (GET: what happens, and which agreement it supersedes), then the send."""
    org = request.org  # type: ignore[attr-defined]
    agreement = selectors.agreement_get(org=org, agreement_id=agreement_id)
    if request.method == "POST":
        actions.agreement_send(agreement=agreement, actor=org_actor(request))
        messages.success(
            request,
            _("Agreement %(label)s sent to %(client)s.") % {"label": agreement.label, "client": agreement.client.name},
        )
        return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    if agreement.state != AgreementState.DRAFT:
        messages.error(request, _("This agreement was sent already."))
        return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    waiting = (
        Agreement.objects.filter(client_id=agreement.client_id, state=AgreementState.SENT)
        .exclude(pk=agreement.pk)
        .first()
    )
    return render(request, "agreements/send_confirm.html", {"a": agreement, "waiting": waiting})


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_void(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """A confirmation page with the reason (GET), then the void (POST)."""
    org = request.org  # type: ignore[attr-defined]
    agreement = selectors.agreement_get(org=org, agreement_id=agreement_id)
    form = VoidForm(request.POST or None)
    if request.method != "POST" and agreement.state == AgreementState.VOIDED:
        messages.error(request, _("This agreement is voided already."))
        return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    if request.method == "POST":
        actions.agreement_void(
            agreement=agreement,
            actor=org_actor(request),
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
        )
        messages.success(request, _("Agreement %(label)s voided.") % {"label": agreement.label})
        return redirect("agreement_detail", org_slug=org.slug, agreement_id=agreement.pk)
    return render(request, "agreements/void_confirm.html", {"a": agreement, "form": form})


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_document(request: HttpRequest, agreement_id: int) -> HttpResponse | FileResponse:
    """The document: once sent, the stored bytes (those hashed and signed); a draft is rendered
    now, marked as a draft, and not kept."""
    agreement = selectors.agreement_get(org=request.org, agreement_id=agreement_id)  # type: ignore[attr-defined]
    if agreement.document:
        return private_file_response(
            agreement.document,
            content_type="application/pdf",
            download_name=f"agreement-{agreement.label}.pdf",
            cache=CACHE_NONE,
        )
    data = agreement_pdf(
        org=agreement.org,
        title=agreement.title,
        body=agreement.body,
        label=agreement.label,
        client_name=agreement.client.name,
        language=agreement.language or request.LANGUAGE_CODE,
        draft=True,
    )
    return pdf_download_response(data, f"agreement-{agreement.label}-draft.pdf")


@org_view(Permission.AGREEMENTS_MANAGE)
def agreement_signed_document(request: HttpRequest, agreement_id: int) -> FileResponse:
    """The sealed copy (document + audit certificate page), once signed; a 404 before."""
    agreement = selectors.agreement_get(org=request.org, agreement_id=agreement_id)  # type: ignore[attr-defined]
    if not agreement.signed_document:
        raise Http404("not signed")
    return private_file_response(
        agreement.signed_document,
        content_type="application/pdf",
        download_name=f"agreement-{agreement.label}-signed.pdf",
        cache=CACHE_NONE,
    )
