"""Staff pages of estimates (``estimates.manage``): the list, a new draft on a client or a lead,
one estimate with its versions, editing a draft, send, revise, the PDF and attachments. Thin:
validate, call one action or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, pdf_download_response, private_file_response
from portico.estimates import actions, selectors
from portico.estimates.content import estimate_sheet
from portico.estimates.forms import EstimateFilterForm, EstimateForm
from portico.estimates.models import ESTIMATE_MACHINE, Estimate, EstimateState
from portico.estimates.pdf import estimate_pdf_bytes
from portico.leads.selectors import lead_get
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.requests.uploads import MAX_ATTACHMENTS

BLANK_LINE = {"description": "", "quantity": "1", "unit": "", "unit_price": "", "tax_rate": "0"}


@org_view(Permission.ESTIMATES_MANAGE)
def estimate_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = EstimateFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.EstimateFilters(state=data.get("state") or "", client=data.get("client"), lead=data.get("lead"))
    page = selectors.estimate_page(org=org, filters=filters, cursor=request.GET.get("cursor", ""))
    return render(
        request,
        "estimates/list.html",
        {
            "page": page,
            "states": EstimateState.choices,
            "filters": filters,
            "filtered": bool(filters.state or filters.client or filters.lead),
        },
    )


def _form_lines(form: EstimateForm, estimate: Estimate | None) -> list[dict[str, str]]:
    """The rows the form shows: what was posted, else the draft's lines, and one blank row to fill."""
    if form.is_bound:
        rows = list(form.lines)
    elif estimate is not None:
        rows = [
            {
                "description": line.description,
                "quantity": str(line.quantity.normalize()),
                "unit": line.unit,
                "unit_price": str(line.unit_price.normalize()),
                "tax_rate": str(line.tax_rate.normalize()),
            }
            for line in selectors.estimate_lines(estimate=estimate)
        ]
    else:
        rows = []
    return [*rows, dict(BLANK_LINE)]


def _form_values(form: EstimateForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "scope": data.get("scope") or "",
        "notes": data.get("notes") or "",
        "valid_until": data.get("valid_until"),
        "discount_kind": data.get("discount_kind") or "",
        "discount_value": data.get("discount_value") or 0,
        "lines": form.line_inputs(),
        "files": data.get("attachments") or [],
    }


def _edit_page(request: HttpRequest, form: EstimateForm, **context: Any) -> HttpResponse:
    estimate = context.get("estimate")
    return render(
        request,
        "estimates/edit.html",
        {
            "form": form,
            "rows": _form_lines(form, estimate),
            "blank": BLANK_LINE,
            "max_attachments": MAX_ATTACHMENTS,
            "attachments": selectors.estimate_attachments(estimate=estimate) if estimate else [],
            **context,
        },
    )


@org_view(Permission.ESTIMATES_MANAGE)
def estimate_new(request: HttpRequest) -> HttpResponse:
    """A new draft: ``?client=<id>`` or ``?lead=<id>`` (from the record or lead page)."""
    org = request.org  # type: ignore[attr-defined]
    filters = EstimateFilterForm(request.GET)
    owner = filters.cleaned_data if filters.is_valid() else {}
    client = client_get(org=org, client_id=owner["client"]) if owner.get("client") else None
    lead = lead_get(org=org, lead_id=owner["lead"]) if owner.get("lead") and client is None else None
    if client is None and lead is None:
        return render(request, "estimates/new_choose.html")
    form = EstimateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            estimate = actions.estimate_create(
                org=org, actor=org_actor(request), client=client, lead=lead, **_form_values(form)
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Estimate %(label)s saved as a draft.") % {"label": estimate.label})
            return redirect("estimate_detail", org_slug=org.slug, estimate_id=estimate.pk)
    return _edit_page(request, form, client=client, lead=lead, currency=org.currency)


@org_view(Permission.ESTIMATES_MANAGE)
def estimate_edit(request: HttpRequest, estimate_id: int) -> HttpResponse:
    """Edit a draft; a sent estimate is never edited (its page offers "Revise")."""
    org = request.org  # type: ignore[attr-defined]
    estimate = selectors.estimate_get(org=org, estimate_id=estimate_id)
    if estimate.state != EstimateState.DRAFT:
        messages.error(request, _("Only a draft can be changed. Revise the estimate to make a new version."))
        return redirect("estimate_detail", org_slug=org.slug, estimate_id=estimate.pk)
    initial = {
        "scope": estimate.scope,
        "notes": estimate.notes,
        "valid_until": estimate.valid_until,
        "discount_kind": estimate.discount_kind,
        "discount_value": estimate.discount_value.normalize() if estimate.discount_kind else None,
    }
    form = EstimateForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.estimate_update(
                estimate=estimate,
                actor=org_actor(request),
                remove_attachments=[int(v) for v in request.POST.getlist("remove_attachment") if v.isdigit()],
                **_form_values(form),
            )
        except PorticoError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("estimate_detail", org_slug=org.slug, estimate_id=estimate.pk)
    return _edit_page(
        request, form, estimate=estimate, client=estimate.client, lead=estimate.lead, currency=estimate.currency
    )


@org_view(Permission.ESTIMATES_MANAGE)
def estimate_detail(request: HttpRequest, estimate_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    estimate = selectors.estimate_get(org=org, estimate_id=estimate_id)
    lines = selectors.estimate_lines(estimate=estimate)
    attachments = selectors.estimate_attachments(estimate=estimate)
    moves = set(ESTIMATE_MACHINE.allowed_actions(estimate.state))
    versions = selectors.estimate_versions(estimate=estimate)
    return render(
        request,
        "estimates/detail.html",
        {
            "e": estimate,
            "sheet": estimate_sheet(estimate, lines, attachments),
            "versions": versions,
            "can_edit": estimate.state == EstimateState.DRAFT,
            "can_send": "send" in moves and estimate.client_id is not None,
            "can_revise": "supersede" in moves,
        },
    )


@org_view(Permission.ESTIMATES_MANAGE)
@require_POST
def estimate_send(request: HttpRequest, estimate_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    estimate = selectors.estimate_get(org=org, estimate_id=estimate_id)
    actions.estimate_send(estimate=estimate, actor=org_actor(request))
    name = estimate.client.name if estimate.client else ""
    messages.success(request, _("Estimate %(label)s sent to %(client)s.") % {"label": estimate.label, "client": name})
    return redirect("estimate_detail", org_slug=org.slug, estimate_id=estimate.pk)


@org_view(Permission.ESTIMATES_MANAGE)
@require_POST
def estimate_revise(request: HttpRequest, estimate_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    estimate = selectors.estimate_get(org=org, estimate_id=estimate_id)
    new = actions.estimate_revise(estimate=estimate, actor=org_actor(request))
    messages.success(
        request, _("Version %(version)s is a new draft: change it and send it.") % {"version": new.version}
    )
    return redirect("estimate_edit", org_slug=org.slug, estimate_id=new.pk)


def pdf_response(estimate: Estimate, language: str) -> HttpResponse:
    """The PDF as a download (staff and portal share it): a sent estimate's is kept once rendered."""
    return pdf_download_response(
        estimate_pdf_bytes(estimate, language=language), f"estimate-{estimate.number}-v{estimate.version}.pdf"
    )


@org_view(Permission.ESTIMATES_MANAGE)
def estimate_pdf_download(request: HttpRequest, estimate_id: int) -> HttpResponse:
    estimate = selectors.estimate_get(org=request.org, estimate_id=estimate_id)  # type: ignore[attr-defined]
    return pdf_response(estimate, request.LANGUAGE_CODE)


@org_view(Permission.ESTIMATES_MANAGE)
def estimate_attachment(request: HttpRequest, estimate_id: int, attachment_id: int) -> FileResponse:
    estimate = selectors.estimate_get(org=request.org, estimate_id=estimate_id)  # type: ignore[attr-defined]
    attachment = selectors.estimate_attachment_get(estimate=estimate, attachment_id=attachment_id)
    return private_file_response(
        attachment.file, content_type=attachment.content_type, download_name=attachment.name, cache=CACHE_NONE
    )
