"""Staff pages of the customers catalog: the table (filters, search, sorts, keyset pages, CSV
export), + New Customer (htmx: the new row appears at once; the SAT 69-B alert), a customer's page,
completing the record (data, addresses, contacts, compliance documents), deactivate (at once, with
an Undo) and activate. ``customers.view`` reads; ``customers.manage`` changes. Thin: validate, call
one action or selector, render."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, private_file_response
from portico.core.middleware import REFUSAL_HEADER
from portico.customers import actions, records, selectors
from portico.customers.forms import (
    AddressForm,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    DocumentForm,
    QuickCreateForm,
)
from portico.customers.models import CUSTOMER_MACHINE, Customer, CustomerStatus
from portico.customers.rules import customer_editable_check
from portico.customers.screening import Screening
from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission


def row_context(request: HttpRequest) -> dict[str, Any]:
    """What every table row shares, worked out once a page (labels, addresses, rights): a row
    renders with no URL reversing and no translation lookups of its own."""
    slug = request.org.slug  # type: ignore[attr-defined]
    return {
        "base": reverse("customer_list", args=[slug]),
        "manage": request.org_ctx.has(Permission.CUSTOMERS_MANAGE),  # type: ignore[attr-defined]
        "L": {
            "trade_name": _("Trade name"),
            "tax_id": _("RFC/EIN"),
            "listed": _("On the SAT 69-B list"),
            "status": _("Status"),
            "score": _("Score"),
            "freshbooks": _("FreshBooks"),
            "connected": _("Connected"),
            "not_connected": _("Not connected"),
            "actions": _("Actions"),
            "view": _("View"),
            "edit": _("Edit"),
            "activate": _("Activate"),
            "deactivate": _("Deactivate"),
            "update_score": _("Update score"),
            "open_freshbooks": _("Open in FreshBooks"),
            "connect_freshbooks": _("Connect to FreshBooks"),
            "deactivated": _("Deactivated."),
            "undo": _("Undo"),
        },
    }


def _filters(request: HttpRequest) -> selectors.CustomerFilters:
    form = CustomerFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.CustomerFilters(
        status=data.get("status") or "",
        owner=data.get("owner"),
        freshbooks=data.get("freshbooks") or "",
        q=data.get("q") or "",
        sort=data.get("sort") or "newest",
    )


def _undo_candidate(request: HttpRequest) -> Customer | None:
    raw = request.GET.get("undo", "")
    if not raw.isdigit():
        return None
    found = selectors.customers_of(org=request.org).filter(pk=int(raw)).select_related("client").first()  # type: ignore[attr-defined]
    return found if found is not None and found.status == CustomerStatus.INACTIVE else None


@org_view(Permission.CUSTOMERS_VIEW)
def customer_list(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    filters = _filters(request)
    page = selectors.customer_page(org=org, filters=filters, cursor=request.GET.get("cursor", ""))
    staff = selectors.sales_owner_options(org=org)
    return render(
        request,
        "customers/list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": CustomerStatus.choices,
            "owner_options": [(pk, name, pk == filters.owner) for pk, name in staff],
            "form": QuickCreateForm(),
            "undo": _undo_candidate(request),
            "query_string": request.GET.urlencode(),
            "row": row_context(request),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@org_view(Permission.CUSTOMERS_VIEW)
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered table as CSV, streamed a keyset batch at a time."""
    org = request.org  # type: ignore[attr-defined]
    filters = _filters(request)
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"  # spreadsheets read the accents right
        yield writer.writerow(
            [
                _("Legal name"),
                _("Trade name"),
                _("RFC/EIN"),
                _("Status"),
                _("Score"),
                _("FreshBooks"),
                _("Sales owner"),
                _("Industry"),
            ]
        )
        for c in selectors.customer_export_rows(org=org, filters=filters):
            yield writer.writerow(
                [
                    _cell(c.client.name),
                    _cell(c.client.trade_name),
                    c.client.tax_id,
                    c.status,
                    "" if c.score is None else str(c.score),
                    c.freshbooks_id,
                    _cell(c.sales_owner.display_name) if c.sales_owner else "",
                    _cell(c.industry),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers.csv"'
    response["Cache-Control"] = CACHE_NONE
    return response


def _cell(value: str) -> str:
    """No formulas in a spreadsheet cell (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _row(request: HttpRequest, customer: Customer, **extra: Any) -> HttpResponse:
    return render(request, "customers/_row_response.html", {"c": customer, "row": row_context(request), **extra})


@org_view(Permission.CUSTOMERS_MANAGE)
def customer_new(request: HttpRequest) -> HttpResponse:
    """+ New Customer: legal name, trade name, RFC/EIN. With htmx the answer is the new row (PAIN)
    and the screening alert; without, the customer's page."""
    org = request.org  # type: ignore[attr-defined]
    htmx = bool(getattr(request, "htmx", False))
    form = QuickCreateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                created = actions.customer_quick_create(org=org, actor=org_actor(request), **form.cleaned_data)
            except PorticoError as exc:
                form.add_error(None, str(exc.message))
                return _new_refused(request, form, exc, htmx)
            if htmx:
                return _row(
                    request, created.customer, created=True, screening=created.screening, form=QuickCreateForm()
                )
            _screening_message(request, created.screening)
            messages.success(request, _("Customer %(name)s created.") % {"name": created.customer.client.name})
            return redirect("customer_detail", org_slug=org.slug, customer_id=created.customer.pk)
        if htmx:
            response = render(request, "customers/_quick_create.html", {"form": form}, status=200)
            response["HX-Retarget"] = "#quick-create"
            response["HX-Reswap"] = "outerHTML"
            return response
    return render(request, "customers/new.html", {"form": form})


def _new_refused(request: HttpRequest, form: QuickCreateForm, exc: PorticoError, htmx: bool) -> HttpResponse:
    context = {"form": form, "refusal": exc}
    if htmx:
        response = render(request, "customers/_quick_create.html", context)
        response["HX-Retarget"] = "#quick-create"
        response["HX-Reswap"] = "outerHTML"
    else:
        response = render(request, "customers/new.html", context, status=200)
    response[REFUSAL_HEADER] = exc.code
    return response


def _screening_message(request: HttpRequest, screening: Screening) -> None:
    entry = screening.entry
    if entry is None:
        return
    dates = "; ".join(f"{label}: {when}" for label, when in entry.publications())
    messages.warning(
        request,
        _("SAT 69-B alert: %(rfc)s is on the list as %(situation)s (%(dates)s).")
        % {"rfc": entry.rfc, "situation": entry.get_situation_display(), "dates": dates},
    )


@org_view(Permission.CUSTOMERS_VIEW)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    customer = selectors.customer_get(org=org, customer_id=customer_id)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "client": customer.client,
            "missing": records.customer_missing_fields(customer),
            "addresses": selectors.customer_addresses(customer=customer),
            "contacts": selectors.customer_contacts(customer=customer),
            "documents": selectors.customer_documents(customer=customer),
            "timeline": selectors.customer_history(customer=customer),
            "allowed": CUSTOMER_MACHINE.allowed_actions(customer.status),
        },
    )


def _edit_page(
    request: HttpRequest, customer: Customer, *, form: CustomerForm | None = None, status: int = 200, **forms: Any
) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    staff = selectors.sales_owner_options(org=org)
    if form is None:
        form = CustomerForm(
            initial={
                "legal_name": customer.client.name,
                "trade_name": customer.client.trade_name,
                "industry": customer.industry,
                "website": customer.website,
                "payment_terms": customer.payment_terms,
                "credit_limit": customer.credit_limit,
                "currency": customer.currency,
                "sales_owner": customer.sales_owner_id,
                "regimen_fiscal": customer.regimen_fiscal,
                "uso_cfdi": customer.uso_cfdi,
                "fiscal_postal_code": customer.fiscal_postal_code,
            },
            staff=staff,
        )
    return render(
        request,
        "customers/edit.html",
        {
            "customer": customer,
            "client": customer.client,
            "form": form,
            "address_form": forms.get("address_form") or AddressForm(initial={"country": "MX"}),
            "contact_form": forms.get("contact_form") or ContactForm(),
            "document_form": forms.get("document_form") or DocumentForm(),
            "missing": records.customer_missing_fields(customer),
            "addresses": selectors.customer_addresses(customer=customer),
            "contacts": selectors.customer_contacts(customer=customer),
            "documents": selectors.customer_documents(customer=customer),
            "is_rfc": records.is_rfc(customer.client.tax_id),
        },
        status=status,
    )


def _saved_message(request: HttpRequest, saved: actions.Saved) -> None:
    if saved.customer.status == CustomerStatus.ACTIVE:
        messages.success(request, _("Saved. The record is complete: the customer is active."))
    elif saved.missing:
        messages.info(
            request,
            _("Saved. Still missing: %(fields)s.") % {"fields": ", ".join(m.label for m in saved.missing)},
        )
    else:
        messages.success(request, _("Saved."))


@org_view(Permission.CUSTOMERS_MANAGE)
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Complete the record. An inactive customer is not editable: the page says to reactivate."""
    org = request.org  # type: ignore[attr-defined]
    customer = selectors.customer_get(org=org, customer_id=customer_id)
    if customer.is_inactive:
        if request.method == "POST":
            actions.customer_update(customer=customer, actor=org_actor(request))  # refused: says why
        return render(request, "customers/edit_inactive.html", {"customer": customer, "client": customer.client})
    if request.method == "POST":
        form = CustomerForm(request.POST, staff=selectors.sales_owner_options(org=org))
        if form.is_valid():
            try:
                saved = actions.customer_update(customer=customer, actor=org_actor(request), **form.cleaned_data)
            except PorticoError as exc:
                for error in exc.extra.get("errors", [{"field": exc.extra.get("field"), "message": str(exc.message)}]):
                    name = error.get("field")
                    form.add_error(name if name in form.fields else None, error["message"])
                return _edit_page(request, customer, form=form, status=422)
            _saved_message(request, saved)
            return redirect("customer_edit", org_slug=org.slug, customer_id=customer.pk)
        return _edit_page(request, customer, form=form, status=422)
    return _edit_page(request, customer)


def _sub_form_errors(form: Any, exc: PorticoError) -> None:
    for error in exc.extra.get("errors", [{"field": exc.extra.get("field"), "message": str(exc.message)}]):
        name = error.get("field")
        form.add_error(name if name in form.fields else None, error["message"])


def _editable(request: HttpRequest, customer_id: int) -> Customer:
    customer = selectors.customer_get(org=request.org, customer_id=customer_id)  # type: ignore[attr-defined]
    customer_editable_check(customer)
    return customer


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_address_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = AddressForm(request.POST)
    if form.is_valid():
        try:
            saved = actions.customer_address_add(customer=customer, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            if exc.code != "invalid":
                raise
            _sub_form_errors(form, exc)
        else:
            _saved_message(request, saved)
            return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]
    return _edit_page(request, customer, address_form=form, status=422)


@org_view(Permission.CUSTOMERS_MANAGE)
def customer_address_edit(request: HttpRequest, customer_id: int, address_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    address = selectors.customer_address_get(customer=customer, address_id=address_id)
    initial = {name: getattr(address, name) for name in actions.ADDRESS_FIELDS}
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.customer_address_update(address=address, actor=org_actor(request), **form.cleaned_data)
        except PorticoError as exc:
            if exc.code != "invalid":
                raise
            _sub_form_errors(form, exc)
        else:
            _saved_message(request, saved)
            return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]
    return render(request, "customers/address_edit.html", {"customer": customer, "address": address, "form": form})


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_address_remove(request: HttpRequest, customer_id: int, address_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    address = selectors.customer_address_get(customer=customer, address_id=address_id)
    saved = actions.customer_address_remove(address=address, actor=org_actor(request))
    _saved_message(request, saved)
    return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_contact_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        contact = selectors.contact_candidate(org=request.org, reference=form.cleaned_data["reference"])  # type: ignore[attr-defined]
        if contact is None:
            form.add_error("reference", _("No person's record in this organization has that case number."))
        else:
            try:
                saved = actions.customer_contact_link(
                    customer=customer, actor=org_actor(request), contact=contact, role=form.cleaned_data["role"]
                )
            except PorticoError as exc:
                if exc.code != "invalid":
                    raise
                form.add_error("reference", str(exc.message))
            else:
                _saved_message(request, saved)
                return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]
    return _edit_page(request, customer, contact_form=form, status=422)


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_contact_remove(request: HttpRequest, customer_id: int, link_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    link = selectors.customer_contact_get(customer=customer, link_id=link_id)
    saved = actions.customer_contact_unlink(link=link, actor=org_actor(request))
    _saved_message(request, saved)
    return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_document_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.customer_document_add(
                customer=customer,
                actor=org_actor(request),
                doc_type=data["doc_type"],
                upload=data["file"],
                issued_on=data.get("issued_on"),
                expires_on=data.get("expires_on"),
                remind_days_before=data["remind_days_before"],
            )
        except PorticoError as exc:
            if exc.code == "customer_inactive":
                raise
            _sub_form_errors(form, exc)
        else:
            messages.success(request, _("Document added."))
            return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]
    return _edit_page(request, customer, document_form=form, status=422)


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_document_remove(request: HttpRequest, customer_id: int, document_id: int) -> HttpResponse:
    customer = _editable(request, customer_id)
    document = selectors.customer_document_get(customer=customer, document_id=document_id)
    saved = actions.customer_document_remove(document=document, actor=org_actor(request))
    _saved_message(request, saved)
    return redirect("customer_edit", org_slug=request.org.slug, customer_id=customer.pk)  # type: ignore[attr-defined]


@org_view(Permission.CUSTOMERS_VIEW)
def customer_document_download(request: HttpRequest, customer_id: int, document_id: int) -> FileResponse:
    """The stored file, always as a download with the type checked at upload (never inline)."""
    customer = selectors.customer_get(org=request.org, customer_id=customer_id)  # type: ignore[attr-defined]
    document = selectors.customer_document_get(customer=customer, document_id=document_id)
    return private_file_response(
        document.file, content_type=document.content_type, download_name=document.original_name, cache=CACHE_NONE
    )


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_deactivate(request: HttpRequest, customer_id: int) -> HttpResponse:
    """At once, no confirmation (seed 002); the answer offers Undo (activate again)."""
    org = request.org  # type: ignore[attr-defined]
    customer = selectors.customer_get(org=org, customer_id=customer_id)
    actions.customer_deactivate(customer=customer, actor=org_actor(request))
    if getattr(request, "htmx", False):
        return _row(request, customer, undo=customer)
    messages.success(request, _("%(name)s is inactive.") % {"name": customer.client.name})
    return redirect(f"{_list_url(org.slug)}?undo={customer.pk}")


def _list_url(slug: str) -> str:
    return reverse("customer_list", args=[slug])


@org_view(Permission.CUSTOMERS_MANAGE)
@require_POST
def customer_activate(request: HttpRequest, customer_id: int) -> HttpResponse:
    """INAC → ACTV (complete) or PAIN (still incomplete). Also the Undo of a deactivation."""
    org = request.org  # type: ignore[attr-defined]
    customer = selectors.customer_get(org=org, customer_id=customer_id)
    actions.customer_activate(customer=customer, actor=org_actor(request))
    if getattr(request, "htmx", False):
        return _row(request, customer, activated=True)
    messages.success(
        request,
        _("%(name)s is %(status)s.")
        % {"name": customer.client.name, "status": CUSTOMER_MACHINE.label(customer.status).lower()},
    )
    back = request.POST.get("next", "")
    if back == "list":
        return redirect("customer_list", org_slug=org.slug)
    return redirect("customer_detail", org_slug=org.slug, customer_id=customer.pk)
