"""The client's agreement pages in the portal (phone first): read the agreement (its text, and the
PDF: the exact stored bytes whose SHA-256 the page shows), consent to electronic records if there
is no standing consent, then sign (typed name or a drawing, and the statement of intent). The
signed copy (sealed) is downloadable once sealed. The consent page (from account settings) shows
the disclosure and lets the person withdraw a standing consent, with a confirmation.
Another person's agreement, or another organization's, is a 404."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.agreements import selectors_portal as selectors
from portico.agreements.consent import disclosure_for, disclosure_pdf
from portico.agreements.models import Agreement, AgreementSignature, AgreementState, SignatureMethod
from portico.agreements.signing import (
    INTENT_TEXT,
    agreement_seal,
    agreement_sign,
    agreement_view,
    consent_give,
    consent_withdraw,
)
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.files import pdf_download_response
from portico.portal.context import portal_view
from portico.portal.models import PortalAccount

logger = logging.getLogger(__name__)

VIEWED_SESSION_KEY = "agreements_viewed"
DISCLOSURE_PDF_SESSION_KEY = "agreements_disclosure_pdf_opened"  # org ids whose disclosure PDF was opened


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, kind=ActorKind.CLIENT)


def _get(request: HttpRequest, account: PortalAccount, agreement_id: int) -> Agreement:
    return selectors.agreement_get_for_person(org=account.org, user=_user(request), agreement_id=agreement_id)


def _stored(field: object, expected: str) -> bytes | None:
    """The file's bytes when their SHA-256 is the recorded one; None otherwise (changed or gone)."""
    try:
        with field.open("rb") as f:  # type: ignore[attr-defined]
            data: bytes = f.read()
    except (OSError, ValueError):
        return None
    return data if expected and hashlib.sha256(data).hexdigest() == expected else None


def _stored_pdf(request: HttpRequest, account: PortalAccount, agreement: Agreement, *, signed: bool) -> HttpResponse:
    """The document (or the sealed copy) exactly as stored; refused when its bytes no longer
    match the recorded hash."""
    if signed:
        data, name = (
            _stored(agreement.signed_document, agreement.signed_hash),
            f"agreement-{agreement.label}-signed.pdf",
        )
    else:
        data, name = _stored(agreement.document, agreement.document_hash), f"agreement-{agreement.label}.pdf"
    if data is None:
        return render(
            request,
            "agreements/portal_error.html",
            {"portal": account.org.portal_settings, "account": account, "a": agreement},
            status=409,
        )
    return pdf_download_response(data, name, inline=True)


def _signature(agreement: Agreement) -> AgreementSignature | None:
    try:
        return agreement.signature
    except AgreementSignature.DoesNotExist:
        return None


def _record_view(request: HttpRequest, agreement: Agreement) -> None:
    """The first view in this session is a VIEWED event (a reload is not a new one)."""
    seen = request.session.get(VIEWED_SESSION_KEY, [])
    if agreement.state != AgreementState.SENT or agreement.pk in seen:
        return
    agreement_view(agreement=agreement, actor=_actor(request))
    request.session[VIEWED_SESSION_KEY] = [*seen[-49:], agreement.pk]


@portal_view
def portal_agreement_detail(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], agreement_id: int
) -> HttpResponse:
    agreement = _get(request, account, agreement_id)
    _record_view(request, agreement)
    consent = selectors.consent_standing(org=account.org, user=_user(request))
    return render(
        request,
        "agreements/portal_detail.html",
        {
            "portal": account.org.portal_settings,
            "account": account,
            "a": agreement,
            "body": agreement.body,  # cleaned to the safe subset when saved (a second clean drops its classes)
            "signature": _signature(agreement),
            "consent": consent,
            "disclosure": disclosure_for(account.org, request.LANGUAGE_CODE) if consent is None else None,
            "can_sign": agreement.state == AgreementState.SENT,
            "intent_text": _(INTENT_TEXT),
        },
    )


@portal_view
def portal_agreement_pdf(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], agreement_id: int
) -> HttpResponse:
    """The document exactly as stored and hashed; refused if its bytes no longer match the hash."""
    agreement = _get(request, account, agreement_id)
    return _stored_pdf(request, account, agreement, signed=False)


@portal_view
def portal_agreement_signed_pdf(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], agreement_id: int
) -> HttpResponse:
    """The sealed copy (the document, the audit certificate, the seal)."""
    agreement = _get(request, account, agreement_id)
    if not agreement.signed_hash:
        raise Http404
    return _stored_pdf(request, account, agreement, signed=True)


@portal_view
def portal_agreement_sign(
    request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount], agreement_id: int
) -> HttpResponse:
    """POST: sign, then seal (after the signature committed; a failed seal is retried by the sweep)."""
    agreement = _get(request, account, agreement_id)
    if request.method != "POST":
        return redirect("portal_agreement_detail", org_slug=account.org.slug, agreement_id=agreement.pk)
    drawing = request.POST.get("drawing", "").strip()
    try:
        agreement_sign(
            agreement=agreement,
            actor=_actor(request),
            name_typed=request.POST.get("name_typed", ""),
            method=SignatureMethod.DRAWN if drawing else SignatureMethod.TYPED,
            drawing=drawing,
            intent=request.POST.get("intent") == "1",
            session_key=request.session.session_key or "",
            document_hash_seen=request.POST.get("document_hash", ""),
        )
    except PorticoError as exc:
        messages.error(request, str(exc.message))
        return redirect("portal_agreement_detail", org_slug=account.org.slug, agreement_id=agreement.pk)
    try:
        agreement_seal(agreement=agreement)
    except Exception:  # the signature stands; the sweep seals it and the copy is emailed then
        logger.exception("sealing agreement %s after signing failed", agreement.pk)
        messages.success(request, _("Thank you: you signed. The signed copy will be emailed to you shortly."))
    else:
        messages.success(request, _("Thank you: you signed. A signed copy was emailed to you."))
    # On to the client's next step (the web app's "continue" page, by its URL name).
    return redirect("portal_continue", org_slug=account.org.slug)


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@portal_view
def portal_consent(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    """The disclosure; POST ``give`` (the box ticked, the version and hash shown) or ``withdraw``
    (after the confirmation step, ``?withdraw=1``)."""
    user = _user(request)
    org = account.org
    consent = selectors.consent_standing(org=org, user=user)
    here = reverse("portal_consent", args=[org.slug])
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "withdraw" and consent is not None:
                consent_withdraw(consent=consent, actor=_actor(request))
                messages.success(request, _("You withdrew your consent to electronic records."))
                return redirect(here)
            if step == "give":
                if request.POST.get("agree") != "1":
                    raise PorticoError(_("Tick the box to consent."), code="invalid")
                agreement = None
                if request.POST.get("agreement", "").isdigit():
                    agreement = selectors.agreement_get_for_person(
                        org=org, user=user, agreement_id=int(request.POST["agreement"])
                    )
                consent_give(
                    org=org,
                    actor=_actor(request),
                    disclosure_version=request.POST.get("version", ""),
                    disclosure_hash=request.POST.get("hash", ""),
                    language=request.LANGUAGE_CODE,
                    agreement=agreement,
                    pdf_opened=org.pk in request.session.get(DISCLOSURE_PDF_SESSION_KEY, []),
                )
                messages.success(request, _("Thank you: you consented to electronic records."))
                return redirect(_next(request, here))
        except PorticoError as exc:
            messages.error(request, str(exc.message))
            return redirect(_next(request, here))
        return redirect(here)
    return render(
        request,
        "agreements/portal_consent.html",
        {
            "portal": org.portal_settings,
            "account": account,
            "consent": consent,
            "disclosure": disclosure_for(org, request.LANGUAGE_CODE),
            "confirm_withdraw": consent is not None and request.GET.get("withdraw") == "1",
            "next": _next(request, ""),
        },
    )


@portal_view
def portal_consent_pdf(request: HttpRequest, account: PortalAccount, accounts: list[PortalAccount]) -> HttpResponse:
    """The disclosure as a PDF, the same form the agreement comes in. Opening it is noted in the
    session, so the consent records that the person could open that form."""
    opened = request.session.get(DISCLOSURE_PDF_SESSION_KEY, [])
    if account.org.pk not in opened:
        request.session[DISCLOSURE_PDF_SESSION_KEY] = [*opened[-19:], account.org.pk]
    return pdf_download_response(
        disclosure_pdf(disclosure_for(account.org, request.LANGUAGE_CODE)),
        "electronic-records-consent.pdf",
        inline=True,
    )
