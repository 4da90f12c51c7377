"""The client's side of an agreement, as actions: consent to electronic records (given, withdrawn),
the first view, the signature, and the seal that follows it.

- ``consent_give`` records who consented, when, from where, to which disclosure (version and the
  SHA-256 of the text shown) and the address records go to; from an agreement's page it is also a
  CONSENTED event of that agreement's chain. ``consent_withdraw`` ends it (signing is refused
  until consent is given again).
- ``agreement_view``: the client opened a sent agreement (VIEWED event; the page records it once
  per session).
- ``agreement_sign``: the signature, refused without standing consent, for a voided, superseded or
  already signed agreement (a double tap makes one signature and the second gets the same clear
  message), or when the document the page showed is not the stored one (by hash).
- ``agreement_seal``: after the signature commits, in its own transaction (a timestamp authority
  on the network never holds the signature's transaction): the audit certificate page appended to
  the document and the whole sealed (``seal.pdf_seal``), stored with its SHA-256, then the signed
  copy emailed to the client and staff. ``agreements_seal_due`` (the sweep) seals what a crash
  left unsealed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import re
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.agreements.certificate import certificate_pdf
from portico.agreements.chain import event_append
from portico.agreements.consent import disclosure_for
from portico.agreements.models import (
    AGREEMENT_MACHINE,
    Agreement,
    AgreementEvent,
    AgreementEventKind,
    AgreementSignature,
    AgreementState,
    ElectronicConsent,
    SignatureMethod,
)
from portico.agreements.seal import SEAL_FIELD, certificate_sha256, pdf_seal, seal_key_load
from portico.agreements.selectors_portal import consent_standing
from portico.agreements.signals import agreement_changed
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.audit.transitions import Stale
from portico.clients.selectors import client_records_organized_by
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition, PorticoError
from portico.notifications.actions import Event, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import Channel
from portico.portal.models import PortalAccount

logger = logging.getLogger(__name__)

INTENT_TEXT = gettext_noop(
    "I agree to sign this agreement electronically and intend my typed or drawn signature to have the same "
    "effect as a handwritten one."
)
# A drawn signature: SVG path data with only moves, lines and curves, in the canvas's coordinates.
DRAWING_MAX_CHARS = 20_000
_DRAWING_ALLOWED = re.compile(r"[MLQC0-9.,\s-]*")
_DRAWING_NUMBER = re.compile(r"-?\d{1,5}(?:\.\d{1,2})?")
_DRAWING_ARGS = {"M": 2, "L": 2, "Q": 4, "C": 6}
# Seal what the request left unsealed only once it had time to do it itself.
SEAL_GRACE = dt.timedelta(minutes=2)


def _already_signed() -> PorticoError:
    return PorticoError(_("This agreement is already signed. Nothing was changed."), code="already_signed")


def _organizes(*, agreement: Agreement, user: Any) -> bool:
    """Whether ``user`` organizes the agreement's client record (only they consent or sign for it;
    a portal account in the organization alone is not enough)."""
    return client_records_organized_by(org=agreement.org, user=user).filter(pk=agreement.client_id).exists()


def _not_yours() -> PorticoError:
    return PorticoError(_("This agreement is not for you to sign. Nothing was changed."), code="not_organizer")


def _drawing_clean(drawing: str) -> str:
    """The path in a canonical form ("M1 2L3 4…"), or a refusal: only M/L/Q/C commands each with
    its count of numbers (at most 5 digits and 2 decimals), no other characters, at most
    DRAWING_MAX_CHARS."""
    if len(drawing) > DRAWING_MAX_CHARS:
        raise PorticoError(
            _("The drawn signature is too detailed to keep. Clear it and draw it again, more simply."),
            code="drawing_too_long",
        )
    refused = PorticoError(_("The drawn signature could not be read. Clear it and draw it again."), code="bad_drawing")
    if not _DRAWING_ALLOWED.fullmatch(drawing):
        raise refused
    tokens = [t for t in re.split(r"[\s,]+|([MLQC])", drawing) if t]
    parts: list[str] = []
    command = ""
    numbers: list[str] = []
    for token in [*tokens, "M"]:  # a final M flushes the last command
        if token in _DRAWING_ARGS:
            if command:
                if not numbers or len(numbers) % _DRAWING_ARGS[command]:
                    raise refused
                parts.append(command + " ".join(numbers))
            command, numbers = token, []
        elif not command or not _DRAWING_NUMBER.fullmatch(token):
            raise refused  # numbers before the first command, or not a number
        else:
            numbers.append(token)
    if not parts or not parts[0].startswith("M"):
        raise refused
    return "".join(parts)


@action
def consent_give(
    *,
    org: Organization,
    actor: Actor,
    disclosure_version: str,
    disclosure_hash: str,
    language: str,
    agreement: Agreement | None = None,
    pdf_opened: bool = False,
) -> ElectronicConsent:
    """The signed-in person consents to electronic records in ``org``, having read the disclosure
    whose version and SHA-256 the page showed (a changed text is refused: read it again). A standing
    consent is kept (a double tap gives it back). From an agreement's page: a CONSENTED event too.
    ``pdf_opened``: whether they opened the disclosure as a PDF, the form the agreement comes in
    (recorded, not required: ESIGN's "reasonably demonstrates" evidence, without a tap more)."""
    user = actor.user
    if user is None or not PortalAccount.objects.filter(org=org, user=user).exists():
        raise PorticoError(_("Sign in to your portal account first."), code="no_account")
    if agreement is not None and (agreement.org_id != org.pk or not _organizes(agreement=agreement, user=user)):
        raise _not_yours()
    current = disclosure_for(org, language)
    if (disclosure_version, disclosure_hash) != (current.version, current.sha256):
        raise PorticoError(
            _("The disclosure changed since the page was shown. Read it again, then consent."), code="stale_disclosure"
        )
    existing = consent_standing(org=org, user=user)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            consent = ElectronicConsent.objects.create(
                org=org,
                user=user,
                disclosure_version=current.version,
                disclosure_hash=current.sha256,
                email=user.email,
                ip=actor.ip,
                user_agent=actor.user_agent[:300],
            )
    except IntegrityError:  # given at the same moment by another tap
        standing = consent_standing(org=org, user=user)
        if standing is None:
            raise
        return standing
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.CONSENT_GIVEN,
        target=consent,
        target_label=user.email,
        detail={
            "version": current.version,
            "disclosure_sha256": current.sha256,
            "email": user.email,
            "pdf_opened": pdf_opened,
        },
    )
    if agreement is not None and agreement.org_id == org.pk and agreement.state == AgreementState.SENT:
        event_append(
            agreement=agreement,
            kind=AgreementEventKind.CONSENTED,
            actor_label=user.email,
            user_id=user.pk,
            ip=actor.ip,
            user_agent=actor.user_agent,
            data={
                "consent": consent.pk,
                "disclosure_version": current.version,
                "disclosure_sha256": current.sha256,
                "email": user.email,
                "pdf_opened": pdf_opened,
            },
            at=consent.given_at,
        )
    return consent


@action
def consent_withdraw(*, consent: ElectronicConsent, actor: Actor) -> ElectronicConsent:
    """The person withdraws their consent (portal account settings): recorded on the consent;
    signing is refused until they consent again. Withdrawing twice changes nothing."""
    now = timezone.now()
    updated = ElectronicConsent.objects.filter(pk=consent.pk, withdrawn_at=None).update(
        withdrawn_at=now, withdrawn_ip=actor.ip, withdrawn_user_agent=actor.user_agent[:300]
    )
    consent.refresh_from_db()
    if updated:
        audit_record(
            org=consent.org_id,
            actor=actor,
            action=AuditAction.CONSENT_WITHDRAWN,
            target=consent,
            target_label=consent.email,
            detail={"version": consent.disclosure_version, "given_at": consent.given_at.isoformat()},
        )
    return consent


@action
def agreement_view(*, agreement: Agreement, actor: Actor) -> bool:
    """The client opened a sent agreement: a VIEWED event and its audit row (the page calls this
    once per session). Other states record nothing. Returns whether it was recorded."""
    if agreement.state != AgreementState.SENT:
        return False
    user = actor.user
    event_append(
        agreement=agreement,
        kind=AgreementEventKind.VIEWED,
        actor_label=user.email if user is not None else actor.label,
        user_id=user.pk if user is not None else None,
        ip=actor.ip,
        user_agent=actor.user_agent,
        data={"document_sha256": agreement.document_hash},
    )
    audit_record(
        org=agreement.org_id,
        actor=actor,
        action=AuditAction.AGREEMENT_VIEWED,
        target=agreement,
        target_label=agreement.label,
        detail={"agreement": agreement.pk, "number": agreement.number},
    )
    return True


@action
def agreement_sign(
    *,
    agreement: Agreement,
    actor: Actor,
    name_typed: str,
    method: str,
    drawing: str,
    intent: bool,
    session_key: str,
    document_hash_seen: str,
) -> AgreementSignature:
    """The client signs the document the page showed (``document_hash_seen``). Refused, with nothing
    changed: no standing consent, a voided or superseded agreement, one already signed (a second
    tap waits for the first on the agreement's lock, then gets that answer), another document than
    the stored one, no statement of intent, no name, an unreadable drawing."""
    fresh = Agreement.objects.select_for_update(of=("self",)).select_related("org", "client").get(pk=agreement.pk)
    user = actor.user
    if user is None:
        raise PorticoError(_("Sign in to your portal account first."), code="no_account")
    if fresh.state == AgreementState.SIGNED:
        raise _already_signed()
    if fresh.superseded_by_id is not None:
        raise PorticoError(
            _("This agreement was replaced by a newer one: sign the new one instead."), code="superseded"
        )
    if fresh.state == AgreementState.VOIDED:
        raise PorticoError(_("This agreement was voided and can no longer be signed."), code="voided")
    account = PortalAccount.objects.filter(org_id=fresh.org_id, user=user).first()
    if account is None:
        raise PorticoError(_("Sign in to your portal account first."), code="no_account")
    if not _organizes(agreement=fresh, user=user):
        raise _not_yours()
    consent = consent_standing(org=fresh.org, user=user)
    if consent is None:
        raise PorticoError(
            _("Consent to electronic records first: you can sign electronically only after consenting."),
            code="no_consent",
        )
    if not fresh.document_hash or document_hash_seen != fresh.document_hash:
        raise PorticoError(
            _("The document changed since the page was shown. Reload the page and read it again."),
            code="document_changed",
        )
    name = " ".join(name_typed.split())[:200]
    if len(name) < 2:
        raise PorticoError(_("Type your full name."), code="invalid", extra={"field": "name_typed"})
    if method not in SignatureMethod.values:
        raise PorticoError(_("Type your name or draw your signature."), code="invalid")
    clean_drawing = _drawing_clean(drawing) if method == SignatureMethod.DRAWN else ""
    if not intent:
        raise PorticoError(
            _("Tick the box to say you agree to sign electronically."), code="invalid", extra={"field": "intent"}
        )
    now = timezone.now()
    intent_text = _(INTENT_TEXT)[:300]
    session_hash = hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""
    try:
        AGREEMENT_MACHINE.apply(
            fresh,
            "sign",
            actor=actor,
            updates={"signed_at": now},
            target_label=fresh.label,
            detail={"agreement": fresh.pk, "number": fresh.number, "document_sha256": fresh.document_hash},
        )
    except Stale:
        raise _already_signed() from None
    except InvalidTransition:
        raise PorticoError(_("This agreement cannot be signed yet."), code="invalid_transition") from None
    try:
        with transaction.atomic():
            signature = AgreementSignature.objects.create(
                agreement=fresh,
                user=user,
                portal_account=account,
                consent=consent,
                name_typed=name,
                method=method,
                drawing=clean_drawing,
                intent=intent_text,
                document_hash=fresh.document_hash,
                signed_at=now,
                ip=actor.ip,
                user_agent=actor.user_agent[:300],
                session_hash=session_hash,
            )
    except IntegrityError:
        raise _already_signed() from None
    if not AgreementEvent.objects.filter(
        agreement_id=fresh.pk, kind=AgreementEventKind.CONSENTED, data__consent=consent.pk
    ).exists():
        # Consent given before this agreement (another agreement, the account page): the chain
        # still shows which consent the signature stands on.
        event_append(
            agreement=fresh,
            kind=AgreementEventKind.CONSENTED,
            actor_label=user.email,
            user_id=user.pk,
            at=now,
            data={
                "consent": consent.pk,
                "disclosure_version": consent.disclosure_version,
                "disclosure_sha256": consent.disclosure_hash,
                "email": consent.email,
                "given_at": consent.given_at.isoformat(),
            },
        )
    event_append(
        agreement=fresh,
        kind=AgreementEventKind.SIGNED,
        actor_label=user.email,
        user_id=user.pk,
        ip=actor.ip,
        user_agent=actor.user_agent,
        at=now,
        data={
            "portal_account": account.pk,
            "name_typed": name,
            "method": method,
            "drawing": clean_drawing,
            "intent": intent_text,
            "session_sha256": session_hash,
            "consent": consent.pk,
            "disclosure_version": consent.disclosure_version,
            "disclosure_sha256": consent.disclosure_hash,
            "document_sha256": fresh.document_hash,
        },
    )
    agreement_changed.send(sender=Agreement, agreement=fresh, actor=actor)
    client = fresh.client
    notify_navigators(
        client=client,
        event=Event(
            kind=EventKind.AGREEMENT_SIGNED,
            key=f"agreement-signed:{fresh.pk}",
            title=_("%(client)s signed agreement %(label)s") % {"client": client.name, "label": fresh.label},
            url=_staff_url(fresh),
        ),
    )
    agreement.state, agreement.signed_at = fresh.state, now
    return signature


def _staff_url(agreement: Agreement) -> str:
    return reverse("agreement_detail", args=[agreement.org.slug, agreement.pk])


def _document_read(agreement: Agreement) -> bytes:
    """The stored document, refused when its bytes are not the ones whose hash was signed."""
    with agreement.document.open("rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != agreement.document_hash:
        raise PorticoError(
            _("The stored document does not match its recorded SHA-256: it was changed after it was sent."),
            code="document_altered",
        )
    return data


def _signed_copy_recipients(agreement: Agreement, signature: AgreementSignature) -> list[tuple[str, str]]:
    """(email, language): the client (the address they consented to receive records at), then the
    client's navigators and the agreement's creator."""
    org = agreement.org
    out = [(signature.consent.email, signature.user.language or org.language)]
    staff = list(agreement.client.navigators.filter(is_active=True))
    if agreement.created_by is not None and agreement.created_by.is_active:
        staff.append(agreement.created_by)
    for person in staff:
        if person.email and person.email.lower() not in {e.lower() for e, _l in out}:
            out.append((person.email, person.language or org.language))
    return out


def _signed_copy_send(agreement: Agreement, signature: AgreementSignature, sealed: bytes) -> list[str]:
    attachment = {
        "filename": f"agreement-{agreement.label}-signed.pdf",
        "mimetype": "application/pdf",
        "content": base64.b64encode(sealed).decode(),
        "encoding": "base64",
    }
    sent = []
    for email, language in _signed_copy_recipients(agreement, signature):
        with translation.override(language):
            subject = _("Signed: %(title)s (%(label)s)") % {"title": agreement.title, "label": agreement.label}
            text = _(
                "%(name)s signed %(title)s (%(label)s) with %(org)s on %(date)s.\n\n"
                "The signed copy is attached: it ends with an audit certificate and carries %(org)s's digital "
                "seal. To check that a copy is intact, upload it here: %(link)s\n\n"
                "SHA-256 of the attached file: %(hash)s"
            ) % {
                "name": signature.name_typed,
                "title": agreement.title,
                "label": agreement.label,
                "org": agreement.org.name,
                "date": signature.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "link": settings.SITE_URL + reverse("agreement_verify"),
                "hash": hashlib.sha256(sealed).hexdigest(),
            }
        outbox_enqueue(
            org=agreement.org,
            channel=Channel.EMAIL,
            to=email,
            idempotency_key=f"agreement-signed-copy:{agreement.pk}:{email.lower()}",
            subject=subject,
            body_text=text,
            attachments=[attachment],
        )
        sent.append(email)
    return sent


@action(tx="own")
def agreement_seal(*, agreement: Agreement, actor: Actor | None = None) -> Agreement:
    """Seal a signed agreement: the audit certificate appended to the document's exact bytes and
    the whole signed with the installation's certificate (and timestamped), outside any transaction;
    then, in one short transaction, the sealed file and its SHA-256 stored, the SEALED and EMAILED
    events, the audit row and the signed copy by email. A sealed (or voided) one is left alone."""
    actor = actor or Actor.system()
    current = Agreement.objects.select_related("org", "client", "created_by").get(pk=agreement.pk)
    if current.state != AgreementState.SIGNED or current.signed_hash:
        return current
    signature = AgreementSignature.objects.select_related("user", "consent").get(agreement=current)
    document = _document_read(current)
    seal = seal_key_load()  # a missing certificate is a configuration error, said before any work
    with translation.override(current.org.language):
        pages = certificate_pdf(current, signature)
        reason = _("Signed by %(name)s; sealed by %(org)s") % {"name": signature.name_typed, "org": current.org.name}
    sealed = pdf_seal(document, pages, reason=reason, location=settings.SITE_URL)
    digest = hashlib.sha256(sealed).hexdigest()
    with transaction.atomic():
        fresh = Agreement.objects.select_for_update(of=("self",)).select_related("org", "client", "created_by")
        fresh_row = fresh.get(pk=current.pk)
        if fresh_row.state != AgreementState.SIGNED or fresh_row.signed_hash:
            return fresh_row  # sealed meanwhile (the sweep and the request both tried)
        fresh_row.signed_document.save(f"agreement-{fresh_row.pk}-signed.pdf", ContentFile(sealed), save=False)
        fresh_row.signed_hash = digest
        Agreement.objects.filter(pk=fresh_row.pk).update(
            signed_document=fresh_row.signed_document.name, signed_hash=digest
        )
        event_append(
            agreement=fresh_row,
            kind=AgreementEventKind.SEALED,
            actor_label=actor.label,
            data={
                "signed_sha256": digest,
                "field": SEAL_FIELD,
                "timestamped": bool(settings.AGREEMENT_TSA_URL),
                "bytes": len(sealed),
                "certificate_sha256": certificate_sha256(seal.certificate),
            },
        )
        audit_record(
            org=fresh_row.org_id,
            actor=actor,
            action=AuditAction.AGREEMENT_SEALED,
            target=fresh_row,
            target_label=fresh_row.label,
            detail={
                "agreement": fresh_row.pk,
                "signed_sha256": digest,
                "timestamped": bool(settings.AGREEMENT_TSA_URL),
            },
        )
        recipients = _signed_copy_send(fresh_row, signature, sealed)
        event_append(
            agreement=fresh_row, kind=AgreementEventKind.EMAILED, actor_label=actor.label, data={"to": recipients}
        )
    agreement.signed_hash, agreement.signed_document = fresh_row.signed_hash, fresh_row.signed_document
    return fresh_row


@action(tx="own")
def agreements_seal_due(*, limit: int = 100) -> int:
    """The sweep: signed agreements left unsealed (a crash, the certificate missing at the time)
    are sealed now, one by one; one that fails is logged and retried at the next sweep."""
    cutoff = timezone.now() - SEAL_GRACE
    due = list(
        Agreement.objects.filter(state=AgreementState.SIGNED, signed_hash="", signed_at__lt=cutoff).order_by(
            "signed_at", "id"
        )[:limit]
    )
    sealed = 0
    for row in due:
        try:
            agreement_seal(agreement=row)
        except Exception:  # one agreement's problem must not stop the others
            logger.exception("sealing agreement %s failed", row.pk)
            continue
        sealed += 1
    return sealed
