"""/api/v1/agreements: agreements as JSON (``agreements.manage``; an API key or a session, ``?org=``).

List, read, create from a template (for a client, from their approved estimate), send (the PDF
is rendered once and its SHA-256 fixed), void with a reason, download the document and the
signed (sealed) PDF, and the audit trail as JSON (the hash chain, with its verdict). Another
organization's ids are a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from portico.agreements import actions, selectors
from portico.agreements.chain import trail_json
from portico.agreements.models import Agreement, AgreementState
from portico.clients.selectors import client_get
from portico.core.errors import PorticoError
from portico.core.files import CACHE_NONE, private_file_response
from portico.orgs.api_shared import ID_MAX, ORG_PARAM_HELP, Caller, api_caller, api_router
from portico.orgs.permissions import Permission

router = api_router(tags=["agreements"])


class NotYet(PorticoError):
    """A document that does not exist yet (not sent, not signed): a 404 that says why."""

    status_code = 404


class AgreementListQuery(Schema):
    org: str | None = Field(None, description=ORG_PARAM_HELP)
    state: AgreementState | None = None
    client: int | None = Field(None, ge=1, le=ID_MAX, description="A client record's id.")
    cursor: str = Field("", description="next_cursor of the previous page.")


class AgreementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client: int = Field(..., ge=1, le=ID_MAX, description="A client record's id.")
    template: int = Field(..., ge=1, le=ID_MAX, description="An agreement template's id (not archived).")
    estimate: int | None = Field(
        None, ge=1, le=ID_MAX, description="An approved estimate of the client (default: their latest approved one)."
    )


class VoidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., min_length=1, max_length=actions.MAX_REASON)


class AgreementOut(Schema):
    id: int
    number: int
    label: str
    state: str
    title: str
    client: int
    estimate: int | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    signed_at: dt.datetime | None
    voided_at: dt.datetime | None


class AgreementDetailOut(AgreementOut):
    body: str = Field(description="The merged text (safe HTML), as in the document.")
    template: int | None
    template_version: int | None
    document_sha256: str = Field(description="SHA-256 of the PDF the client reads and signs; fixed when sent.")
    signed_sha256: str = Field(description="SHA-256 of the sealed, signed PDF; empty until signed.")
    void_reason: str
    superseded_by: int | None


class AgreementPageOut(Schema):
    items: list[AgreementOut]
    next_cursor: str | None


def _out(a: Agreement) -> AgreementOut:
    return AgreementOut(
        id=a.pk,
        number=a.number,
        label=a.label,
        state=a.state,
        title=a.title,
        client=a.client_id,
        estimate=a.estimate_id,
        created_at=a.created_at,
        sent_at=a.sent_at,
        signed_at=a.signed_at,
        voided_at=a.voided_at,
    )


def _detail_out(caller: Caller, agreement_id: int) -> AgreementDetailOut:
    a = selectors.agreement_get(org=caller.ctx.org, agreement_id=agreement_id)
    version = a.template_version
    return AgreementDetailOut(
        **_out(a).model_dump(),
        body=a.body,
        template=version.template_id if version else None,
        template_version=version.number if version else None,
        document_sha256=a.document_hash,
        signed_sha256=a.signed_hash,
        void_reason=a.void_reason,
        superseded_by=a.superseded_by_id,
    )


@router.get("/agreements", response=AgreementPageOut, summary="List agreements")
def agreement_list(request: HttpRequest, query: Query[AgreementListQuery]) -> AgreementPageOut:
    """Newest first, 25 a page, by keyset (as the staff list)."""
    caller = api_caller(request, query.org, Permission.AGREEMENTS_MANAGE)
    page = selectors.agreement_page(
        org=caller.ctx.org,
        filters=selectors.AgreementFilters(state=query.state or "", client=query.client),
        cursor=query.cursor,
    )
    return AgreementPageOut(items=[_out(a) for a in page.rows], next_cursor=page.next_cursor)


@router.post("/agreements", response={201: AgreementDetailOut}, summary="Make a draft agreement from a template")
def agreement_create(request: HttpRequest, payload: AgreementIn, org: str | None = None) -> Status:
    """The template's fields are filled from the client and the estimate now, and kept."""
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    the_org = caller.ctx.org
    client = client_get(org=the_org, client_id=payload.client)
    template = selectors.template_get(org=the_org, template_id=payload.template)
    estimate = (
        selectors.estimate_of_client_get(client=client, estimate_id=payload.estimate) if payload.estimate else None
    )
    a = actions.agreement_create(client=client, template=template, estimate=estimate, actor=caller.actor)
    return Status(201, _detail_out(caller, a.pk))


@router.get("/agreements/{agreement_id}", response=AgreementDetailOut, summary="An agreement")
def agreement_detail(request: HttpRequest, agreement_id: int, org: str | None = None) -> AgreementDetailOut:
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    return _detail_out(caller, agreement_id)


@router.post("/agreements/{agreement_id}/send", response=AgreementDetailOut, summary="Send a draft to the client")
def agreement_send(request: HttpRequest, agreement_id: int, org: str | None = None) -> AgreementDetailOut:
    """The PDF is rendered and hashed now; a sent, unsigned agreement of the client is superseded."""
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    a = selectors.agreement_get(org=caller.ctx.org, agreement_id=agreement_id)
    actions.agreement_send(agreement=a, actor=caller.actor)
    return _detail_out(caller, a.pk)


@router.post("/agreements/{agreement_id}/void", response=AgreementDetailOut, summary="Void an agreement")
def agreement_void(
    request: HttpRequest, agreement_id: int, payload: VoidIn, org: str | None = None
) -> AgreementDetailOut:
    """Draft, sent or signed → voided, with a reason (a voided agreement is refused: 409)."""
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    a = selectors.agreement_get(org=caller.ctx.org, agreement_id=agreement_id)
    actions.agreement_void(agreement=a, actor=caller.actor, reason=payload.reason)
    return _detail_out(caller, a.pk)


def _file(field: Any, name: str) -> FileResponse:
    return private_file_response(field, content_type="application/pdf", download_name=name, cache=CACHE_NONE)


def _pdf_doc(missing: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "description": "The PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            404: {"description": missing},
        }
    }


@router.get(
    "/agreements/{agreement_id}/document",
    summary="The document PDF (the bytes whose SHA-256 is document_sha256)",
    openapi_extra=_pdf_doc("No such agreement, or a draft (code not_sent)."),
)
def agreement_document(request: HttpRequest, agreement_id: int, org: str | None = None) -> FileResponse:
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    a = selectors.agreement_get(org=caller.ctx.org, agreement_id=agreement_id)
    if not a.document:
        raise NotYet(_("This agreement is a draft: its PDF is made when it is sent."), code="not_sent")
    return _file(a.document, f"agreement-{a.label}.pdf")


@router.get(
    "/agreements/{agreement_id}/signed",
    summary="The signed, sealed PDF",
    openapi_extra=_pdf_doc("No such agreement, or not signed (code not_signed)."),
)
def agreement_signed_document(request: HttpRequest, agreement_id: int, org: str | None = None) -> FileResponse:
    """The document with its audit certificate page, sealed; a 404 (code ``not_signed``) until signed."""
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    a = selectors.agreement_get(org=caller.ctx.org, agreement_id=agreement_id)
    if not a.signed_document:
        raise NotYet(_("This agreement is not signed: there is no signed PDF yet."), code="not_signed")
    return _file(a.signed_document, f"agreement-{a.label}-signed.pdf")


@router.get("/agreements/{agreement_id}/trail", response=dict[str, Any], summary="The audit trail as JSON")
def agreement_trail(request: HttpRequest, agreement_id: int, org: str | None = None) -> dict[str, Any]:
    """Every event (created, sent, viewed, consented, signed, sealed, voided) with its hash and the
    previous one's, and whether the chain is intact."""
    caller = api_caller(request, org, Permission.AGREEMENTS_MANAGE)
    a = selectors.agreement_get(org=caller.ctx.org, agreement_id=agreement_id)
    return trail_json(a)
