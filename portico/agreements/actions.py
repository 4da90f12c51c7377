"""Every change to agreements made by staff (or by the system): templates (create, edit — each
change of the text is a new version, kept — and archive), an agreement for a client (made from
a template and the approved estimate, its fields merged and frozen), editing a draft, sending
(the PDF rendered once, stored and hashed), voiding (with a reason), and the agreement made and
sent by itself when a client approves an estimate. The client's side (consent, signature, seal)
is in ``signing.py``. Each is an ``@action`` with its audit row; every state move goes through
AGREEMENT_MACHINE, appends to the agreement's hash chain and sends ``agreement_changed`` in its
transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.agreements import selectors
from portico.agreements.chain import event_append
from portico.agreements.merge import (
    MAX_BODY,
    MergeSource,
    body_clean,
    estimate_fields_used,
    fields_check,
    fields_named,
    merge_for,
)
from portico.agreements.models import (
    AGREEMENT_MACHINE,
    Agreement,
    AgreementCounter,
    AgreementEventKind,
    AgreementState,
    AgreementTemplate,
    AgreementTemplateVersion,
)
from portico.agreements.pdf import agreement_pdf
from portico.agreements.signals import agreement_changed
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.counters import counter_next
from portico.core.errors import PorticoError
from portico.estimates.models import Estimate, EstimateState
from portico.invitations.actions import ClientMessage, client_tell
from portico.orgs.models import Organization

MAX_NAME = 200
MAX_REASON = 500


# --- templates ---


def _template_input(name: str, title: str, body: str) -> tuple[str, str, str]:
    """The name, title and cleaned text as stored; unknown merge fields are refused, named."""
    name, title = name.strip(), " ".join(title.split())
    if not name:
        raise PorticoError(_("Give the template a name."), code="invalid", extra={"field": "name"})
    if not title:
        raise PorticoError(_("Give the document a title."), code="invalid", extra={"field": "title"})
    if len(name) > MAX_NAME or len(title) > MAX_NAME:
        raise PorticoError(
            _("Names and titles have at most %(n)s characters.") % {"n": MAX_NAME}, code="invalid", extra={}
        )
    if len(body) > MAX_BODY:
        raise PorticoError(_("The text is too long."), code="invalid", extra={"field": "body"})
    cleaned = body_clean(body)
    if not cleaned:
        raise PorticoError(_("Write the agreement's text."), code="invalid", extra={"field": "body"})
    fields_check(title, where=_("title"), field="title", title=True)
    fields_check(cleaned, where=_("text"))
    return name, title, cleaned


def _default_take(template: AgreementTemplate) -> list[int]:
    """Make ``template`` the organization's one default (the database allows one): the other
    loses it. Returns the ids that lost it (for the audit row)."""
    others = list(
        AgreementTemplate.objects.select_for_update()
        .filter(org_id=template.org_id, is_default=True, archived_at=None)
        .exclude(pk=template.pk)
        .values_list("pk", flat=True)
    )
    if others:
        AgreementTemplate.objects.filter(pk__in=others).update(is_default=False)
    return others


def _version_add(template: AgreementTemplate, *, title: str, body: str, actor: Actor) -> AgreementTemplateVersion:
    last = AgreementTemplateVersion.objects.filter(template=template).order_by("-number").first()
    return AgreementTemplateVersion.objects.create(
        template=template,
        number=(last.number if last else 0) + 1,
        title=title,
        body=body,
        created_by=actor.user,
    )


@action
def agreement_template_create(
    *, org: Organization, actor: Actor, name: str, title: str, body: str, is_default: bool = False
) -> AgreementTemplate:
    """A template with its first version."""
    name, title, body = _template_input(name, title, body)
    template = AgreementTemplate(org=org, name=name, is_default=False)
    template.save()
    replaced = _default_take(template) if is_default else []
    if is_default:
        AgreementTemplate.objects.filter(pk=template.pk).update(is_default=True)
        template.is_default = True
    version = _version_add(template, title=title, body=body, actor=actor)
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.AGREEMENT_TEMPLATE_SAVED,
        target=template,
        detail={"template": template.pk, "version": version.number, "default": is_default, "replaced": replaced},
    )
    return template


@action
def agreement_template_update(
    *, template: AgreementTemplate, actor: Actor, name: str, title: str, body: str, is_default: bool
) -> AgreementTemplate:
    """Save a template: a changed title or text is a new version (the old ones are kept, and the
    agreements made from them name them); the name and the default flag change in place."""
    fresh = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
    if fresh.archived_at is not None:
        raise PorticoError(_("This template is archived."), code="archived")
    name, title, body = _template_input(name, title, body)
    latest = selectors.template_version_latest(template=fresh)
    version = latest
    if (title, body) != (latest.title, latest.body):
        version = _version_add(fresh, title=title, body=body, actor=actor)
    replaced = _default_take(fresh) if is_default else []
    AgreementTemplate.objects.filter(pk=fresh.pk).update(name=name, is_default=is_default)
    template.name, template.is_default = name, is_default
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.AGREEMENT_TEMPLATE_SAVED,
        target=template,
        detail={
            "template": fresh.pk,
            "version": version.number,
            "new_version": version.pk != latest.pk,
            "default": is_default,
            "replaced": replaced,
        },
    )
    return template


@action
def agreement_template_archive(*, template: AgreementTemplate, actor: Actor) -> AgreementTemplate:
    """Archived: no longer offered, no longer sent automatically; its versions and the agreements
    made from them stay."""
    fresh = AgreementTemplate.objects.select_for_update().get(pk=template.pk)
    if fresh.archived_at is not None:
        raise PorticoError(_("This template is archived already."), code="archived")
    now = timezone.now()
    AgreementTemplate.objects.filter(pk=fresh.pk).update(archived_at=now, is_default=False)
    template.archived_at, template.is_default = now, False
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.AGREEMENT_TEMPLATE_ARCHIVED,
        target=template,
        detail={"template": fresh.pk, "was_default": fresh.is_default},
    )
    return template


# --- agreements ---


def _language(client: Client, org: Organization) -> str:
    return client.language or org.language or settings.LANGUAGE_CODE


def _event(agreement: Agreement, kind: str, actor: Actor, **data: Any) -> None:
    event_append(
        agreement=agreement,
        kind=kind,
        actor_label=actor.label,
        user_id=actor.user.pk if actor.user is not None else None,
        ip=actor.ip,
        user_agent=actor.user_agent,
        data=data,
    )


def _detail(agreement: Agreement, **more: Any) -> dict[str, Any]:
    return {"agreement": agreement.pk, "number": agreement.number, **more}


def _target(agreement: Agreement) -> Model:
    """Agreement events are on the client's timeline."""
    return agreement.client


def _estimate_for(client: Client, estimate: Estimate | None) -> Estimate | None:
    if estimate is None:
        return selectors.latest_approved_estimate(client=client)
    if estimate.org_id != client.org_id or estimate.client_id != client.pk:
        raise PorticoError(_("That estimate is not this client's."), code="invalid", extra={"field": "estimate"})
    if estimate.state != EstimateState.APPROVED:
        raise PorticoError(
            _("Estimate %(label)s is not approved: an agreement is made from an approved estimate.")
            % {"label": estimate.label},
            code="invalid",
            extra={"field": "estimate"},
        )
    return estimate


@action
def agreement_create(
    *, client: Client, template: AgreementTemplate, actor: Actor, estimate: Estimate | None = None
) -> Agreement:
    """A draft for ``client`` from the template's latest version, its fields merged now and frozen
    in the agreement. ``estimate`` defaults to the client's latest approved one; a template that
    uses the estimate's fields needs one."""
    if template.org_id != client.org_id:
        raise PorticoError(_("That template is not in the client's organization."), code="invalid")
    if template.archived_at is not None:
        raise PorticoError(_("This template is archived."), code="archived", extra={"field": "template"})
    if client.deleted_at is not None:
        raise PorticoError(_("This client record is deleted."), code="invalid")
    estimate = _estimate_for(client, estimate)
    version = selectors.template_version_latest(template=template)
    needs = estimate_fields_used(version.title, version.body)
    if needs and estimate is None:
        raise PorticoError(
            _("%(client)s has no approved estimate, and the template uses %(fields)s.")
            % {"client": client.name, "fields": fields_named(needs)},
            code="no_estimate",
            extra={"field": "estimate"},
        )
    org = Organization.objects.get(pk=client.org_id)
    number = counter_next(AgreementCounter, org_id=org.pk)
    language = _language(client, org)
    title, body = merge_for(
        MergeSource(org=org, client=client, estimate=estimate, agreement_label=f"A-{number}"),
        version.title,
        version.body,
        language=language,
    )
    agreement = Agreement.objects.create(
        org=org,
        client=client,
        number=number,
        template_version=version,
        estimate=estimate,
        title=title[:200],
        body=body,
        language=language,
        created_by=actor.user,
    )
    _event(
        agreement,
        AgreementEventKind.CREATED,
        actor,
        template=template.pk,
        template_version=version.number,
        estimate=estimate.pk if estimate else None,
        title=agreement.title,
    )
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.AGREEMENT_CREATED,
        target=client,
        to_state=agreement.state,
        detail=_detail(agreement, template=template.pk, version=version.number, estimate=agreement.estimate_id),
    )
    return agreement


def _locked(agreement: Agreement) -> Agreement:
    """The agreement row again, locked until the transaction ends (a double tap waits here)."""
    fresh = Agreement.objects.select_for_update(of=("self",)).select_related("org", "client").get(pk=agreement.pk)
    agreement.state = fresh.state
    return fresh


@action
def agreement_update(*, agreement: Agreement, actor: Actor, title: str, body: str) -> Agreement:
    """Edit a draft's merged title and text (a sent or signed agreement is never edited)."""
    fresh = _locked(agreement)
    if fresh.state != AgreementState.DRAFT:
        raise PorticoError(_("Only a draft can be changed. Void this agreement and make a new one."), code="not_draft")
    title = " ".join(title.split())
    if not title or len(title) > MAX_NAME:
        raise PorticoError(_("Give the document a title (at most 200 characters)."), code="invalid")
    if len(body) > MAX_BODY:
        raise PorticoError(_("The text is too long."), code="invalid", extra={"field": "body"})
    cleaned = body_clean(body)
    if not cleaned:
        raise PorticoError(_("Write the agreement's text."), code="invalid", extra={"field": "body"})
    Agreement.objects.filter(pk=fresh.pk).update(title=title, body=cleaned)
    fresh.title = agreement.title = title
    fresh.body = agreement.body = cleaned
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.AGREEMENT_CHANGED,
        target=_target(fresh),
        detail=_detail(fresh, title=title),
    )
    return fresh


def _void(agreement: Agreement, *, actor: Actor, reason: str, superseded_by: Agreement | None = None) -> None:
    """Any state but voided → voided (the machine refuses the rest), on the chain, signalled."""
    now = timezone.now()
    updates: dict[str, Any] = {"voided_at": now, "void_reason": reason}
    if superseded_by is not None:
        updates["superseded_by"] = superseded_by
    AGREEMENT_MACHINE.apply(
        agreement,
        "void",
        actor=actor,
        updates=updates,
        audit_target=_target(agreement),
        detail=_detail(agreement, reason=reason, superseded_by=superseded_by.pk if superseded_by else None),
    )
    agreement.voided_at, agreement.void_reason = now, reason
    if superseded_by is not None:
        agreement.superseded_by = superseded_by
    _event(
        agreement,
        AgreementEventKind.VOIDED,
        actor,
        reason=reason,
        superseded_by=superseded_by.label if superseded_by else None,
    )
    agreement_changed.send(sender=Agreement, agreement=agreement, actor=actor)


def _tell_client_sent(agreement: Agreement) -> str:
    """The client hears the agreement is ready to sign, as they hear of a sent estimate
    (``client_tell``). Returns the channel used ("" when there is no way to reach them)."""
    org = agreement.org
    link = settings.SITE_URL + selectors.portal_agreement_url(agreement)

    def message() -> ClientMessage:
        subject = _("%(org)s sent you agreement %(label)s to sign") % {"org": org.name, "label": agreement.label}
        text = _("%(org)s sent you “%(title)s”. Read it and sign it here: %(link)s") % {
            "org": org.name,
            "title": agreement.title,
            "link": link,
        }
        return ClientMessage(subject=subject, text=text, sms=f"{subject}: {link}")

    return client_tell(
        org=org,
        client_id=agreement.client_id,
        key=f"agreement-sent:{agreement.pk}",
        language=agreement.language,
        message=message,
    )


@action
def agreement_send(*, agreement: Agreement, actor: Actor) -> Agreement:
    """Draft → sent. The PDF is rendered once, stored, and its SHA-256 fixed (the chain's SENT
    event holds it): the client reads and signs exactly these bytes. A sent, unsigned agreement
    of the same client is voided, superseded by this one (one waits for a signature at a time)."""
    # The client's row first: two sends for one client wait for each other, so the second finds
    # the first sent and supersedes it (the database allows one sent agreement per client).
    list(Client.objects.select_for_update(no_key=True).filter(pk=agreement.client_id).values_list("pk", flat=True))
    fresh = _locked(agreement)
    AGREEMENT_MACHINE.target(fresh.state, "send")
    older = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("org", "client")
        .filter(client_id=fresh.client_id, state=AgreementState.SENT)
        .exclude(pk=fresh.pk)
        .first()
    )
    if older is not None:
        with translation.override(fresh.org.language):
            reason = _("Superseded by %(label)s") % {"label": fresh.label}
        _void(older, actor=actor, reason=reason, superseded_by=fresh)
    pdf = agreement_pdf(
        org=fresh.org,
        title=fresh.title,
        body=fresh.body,
        label=fresh.label,
        client_name=fresh.client.name,
        language=fresh.language or fresh.org.language,
    )
    digest = hashlib.sha256(pdf).hexdigest()
    fresh.document.save(f"agreement-{fresh.org_id}-{fresh.number}.pdf", ContentFile(pdf), save=False)
    now = timezone.now()
    AGREEMENT_MACHINE.apply(
        fresh,
        "send",
        actor=actor,
        updates={"sent_at": now, "document": fresh.document.name, "document_hash": digest},
        audit_target=_target(fresh),
        detail=_detail(fresh, document_sha256=digest, supersedes=older.pk if older else None),
    )
    fresh.sent_at, fresh.document_hash = now, digest
    _event(fresh, AgreementEventKind.SENT, actor, document_sha256=digest, bytes=len(pdf))
    agreement_changed.send(sender=Agreement, agreement=fresh, actor=actor)
    _tell_client_sent(fresh)
    agreement.state, agreement.sent_at, agreement.document_hash = fresh.state, now, digest
    agreement.document = fresh.document
    return fresh


@action
def agreement_void(*, agreement: Agreement, actor: Actor, reason: str) -> Agreement:
    """Draft, sent or signed → voided, with a reason (a signed agreement is never edited, only
    voided; a voided one stays voided)."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if not reason:
        raise PorticoError(_("Give the reason for voiding."), code="invalid", extra={"field": "reason"})
    fresh = _locked(agreement)
    _void(fresh, actor=actor, reason=reason)
    agreement.state, agreement.void_reason, agreement.voided_at = fresh.state, reason, fresh.voided_at
    return fresh


@action
def agreement_auto_for_estimate(*, estimate: Estimate, actor: Actor) -> Agreement | None:
    """When a client approves an estimate and the organization has a default template: the
    agreement is made and sent at once. Never twice for one estimate (the estimate row is locked by
    the approval's transaction, so a repeat waits and then finds it); a revised estimate approved
    later is another estimate: its agreement supersedes the unsigned one."""
    if estimate.state != EstimateState.APPROVED or estimate.client_id is None:
        return None
    template = selectors.default_template(org=estimate.org)
    if template is None or Agreement.objects.filter(estimate=estimate).exists():
        return None
    client = Client.objects.get(pk=estimate.client_id)
    agreement = agreement_create(client=client, template=template, estimate=estimate, actor=actor)
    return agreement_send(agreement=agreement, actor=actor)
