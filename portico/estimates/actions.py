"""Every change to estimates: create and edit a draft (lines, discount, attachments), send, revise
(a new draft version supersedes the sent one), the client's approval or decline of the version
they saw (by id and content hash), the client's questions (a request thread), the expiry sweep,
and moving a converted lead's estimates to its client. Each is an ``@action`` with its audit row;
every state move goes through ESTIMATE_MACHINE and sends ``estimate_changed`` in its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Model, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.counters import counter_next
from portico.core.errors import PorticoError
from portico.core.money import CURRENCIES
from portico.core.timezones import time_zone_get
from portico.estimates.content import content_hash, estimate_content, estimate_totals
from portico.estimates.lines import LINE_FIELDS, LineInput, line_inputs
from portico.estimates.models import (
    ESTIMATE_MACHINE,
    DiscountKind,
    Estimate,
    EstimateAttachment,
    EstimateCounter,
    EstimateLine,
    EstimateState,
)
from portico.estimates.signals import estimate_changed
from portico.estimates.totals import money_text
from portico.invitations.actions import ClientMessage, client_tell
from portico.leads.models import Lead
from portico.notifications.actions import Event, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.requests.actions import request_kind_create, request_open, request_reply
from portico.requests.models import ClientRequest, RequestKind
from portico.requests.uploads import MAX_ATTACHMENTS, upload_check

MAX_LINES = 200
MAX_QUANTITY = Decimal("999999999")
MAX_PRICE = Decimal("99999999999")
# The request kind of every estimate question (see _question_kind), never offered for new requests.
QUESTION_KIND = gettext_noop("Estimate question")


def _decimal(value: Any, field: str, row: int) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise PorticoError(
            _("Line %(n)s: %(field)s is not a number.") % {"n": row, "field": field},
            code="invalid",
            extra={"field": f"lines.{row - 1}.{field}"},
        ) from None
    if not number.is_finite():
        raise PorticoError(_("Line %(n)s: %(field)s is not a number.") % {"n": row, "field": field}, code="invalid")
    return number


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _lines_check(lines: Sequence[LineInput]) -> list[LineInput]:
    """The lines as stored: a description, quantity > 0, price ≥ 0, tax rate 0–100 %, at most 3 decimals."""
    if len(lines) > MAX_LINES:
        raise PorticoError(_("An estimate has at most %(n)s lines.") % {"n": MAX_LINES}, code="invalid")
    checked = []
    for n, line in enumerate(lines, start=1):
        description = line.description.strip()
        quantity = _decimal(line.quantity, "quantity", n)
        price = _decimal(line.unit_price, "unit_price", n)
        rate = _decimal(line.tax_rate, "tax_rate", n)
        problem = ""
        if not description:
            problem = _("Line %(n)s needs a description.")
        elif not Decimal(0) < quantity <= MAX_QUANTITY:
            problem = _("Line %(n)s: the quantity must be more than zero.")
        elif not Decimal(0) <= price <= MAX_PRICE:
            problem = _("Line %(n)s: the unit price cannot be negative.")
        elif not Decimal(0) <= rate <= Decimal(100):
            problem = _("Line %(n)s: the tax rate is a percentage from 0 to 100.")
        elif any(_places(v) > 3 for v in (quantity, price, rate)):
            problem = _("Line %(n)s: use at most three decimals.")
        if problem:
            raise PorticoError(problem % {"n": n}, code="invalid", extra={"field": f"lines.{n - 1}"})
        checked.append(
            LineInput(
                description=description[:300],
                quantity=quantity,
                unit_price=price,
                unit=line.unit.strip()[:20],
                tax_rate=rate,
            )
        )
    return checked


def _discount_check(kind: str, value: Any) -> tuple[str, Decimal]:
    if kind not in DiscountKind.values:
        raise PorticoError(_("Choose a percent or an amount as the discount."), code="invalid")
    if not kind:
        return "", Decimal(0)
    amount = _decimal(value, "discount_value", 0)
    if amount < 0 or (kind == DiscountKind.PERCENT and amount > 100) or amount > MAX_PRICE:
        raise PorticoError(
            _("A discount is a percentage from 0 to 100, or an amount of zero or more."),
            code="invalid",
            extra={"field": "discount_value"},
        )
    return kind, amount


def _org_today(org: Organization) -> dt.date:
    """Today where the organization is (its time zone): valid-until dates are its local dates."""
    return timezone.localtime(timezone.now(), time_zone_get(org.time_zone)).date()


def _target(estimate: Estimate) -> Model:
    """Estimate events are on the client's timeline (or the lead's, before it has a client)."""
    return estimate.client if estimate.client_id else estimate.lead  # type: ignore[return-value]


def _detail(estimate: Estimate, **more: Any) -> dict[str, Any]:
    return {"estimate": estimate.pk, "number": estimate.number, "version": estimate.version, **more}


def _changed(estimate: Estimate, actor: Actor) -> None:
    estimate_changed.send(sender=Estimate, estimate=estimate, actor=actor)


def _totals_store(estimate: Estimate) -> None:
    """The one writer of the stored totals: ``totals.totals_compute`` over the stored lines."""
    totals = estimate_totals(estimate, list(estimate.lines.all()))
    estimate.subtotal, estimate.discount_total = totals.subtotal, totals.discount
    estimate.tax_total, estimate.total = totals.tax, totals.total
    Estimate.objects.filter(pk=estimate.pk).update(
        subtotal=totals.subtotal, discount_total=totals.discount, tax_total=totals.tax, total=totals.total
    )


def _lines_write(estimate: Estimate, lines: Sequence[LineInput]) -> None:
    EstimateLine.objects.filter(estimate=estimate).delete()
    EstimateLine.objects.bulk_create(
        [
            EstimateLine(
                estimate=estimate,
                position=i,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
            )
            for i, line in enumerate(lines)
        ]
    )


def _attach(estimate: Estimate, files: Sequence[UploadedFile]) -> None:
    if estimate.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise PorticoError(_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, code="too_many")
    checked_all = [upload_check(upload) for upload in files]  # all refused or none stored
    for checked in checked_all:
        attachment = EstimateAttachment(
            estimate=estimate, name=checked.name, content_type=checked.content_type, size=checked.size
        )
        attachment.file.save(checked.name, checked.content, save=False)
        attachment.save()


@action
def estimate_create(
    *,
    org: Organization,
    actor: Actor,
    client: Client | None = None,
    lead: Lead | None = None,
    scope: str = "",
    notes: str = "",
    valid_until: Any = None,
    discount_kind: str = "",
    discount_value: Any = 0,
    lines: Sequence[LineInput] = (),
    files: Sequence[UploadedFile] = (),
) -> Estimate:
    """A draft on a client record or on a lead, in the organization's currency (copied on it)."""
    if (client is None) == (lead is None):
        raise PorticoError(_("An estimate is for a client or for a lead."), code="invalid")
    owner_org = client.org_id if client is not None else lead.org_id  # type: ignore[union-attr]
    if owner_org != org.pk:
        raise PorticoError(_("That client or lead is not in this organization."), code="invalid")
    if lead is not None and lead.client_id is not None:
        client, lead = lead.client, lead  # a converted lead's estimate belongs to its client
    if org.currency not in CURRENCIES:
        raise PorticoError(_("Choose the organization's currency in Settings first."), code="invalid")
    checked = _lines_check(lines)
    kind, value = _discount_check(discount_kind, discount_value)
    estimate = Estimate.objects.create(
        org=org,
        client=client,
        lead=lead,
        number=counter_next(EstimateCounter, org_id=org.pk),
        currency=org.currency,
        created_by=actor.user,
        scope=scope.strip(),
        notes=notes.strip(),
        valid_until=valid_until,
        discount_kind=kind,
        discount_value=value,
    )
    _lines_write(estimate, checked)
    _attach(estimate, files)
    _totals_store(estimate)
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.ESTIMATE_CREATED,
        target=_target(estimate),
        to_state=estimate.state,
        detail=_detail(estimate, total=str(estimate.total), currency=estimate.currency),
    )
    return estimate


def _locked(estimate: Estimate) -> Estimate:
    """The estimate row again, locked until the transaction ends (a double tap waits here)."""
    fresh = Estimate.objects.select_for_update(of=("self",)).select_related("org", "client", "lead").get(pk=estimate.pk)
    for name in ("state", "content_hash", "decided_at", "sent_at", "client_id", "question_id", "decline_reason"):
        setattr(estimate, name, getattr(fresh, name))
    return fresh


def _draft_only(estimate: Estimate) -> None:
    if estimate.state != EstimateState.DRAFT:
        raise PorticoError(
            _("Only a draft can be changed. Revise the estimate to make a new version."), code="not_draft"
        )


@action
def estimate_update(
    *,
    estimate: Estimate,
    actor: Actor,
    scope: str,
    notes: str,
    valid_until: Any,
    discount_kind: str,
    discount_value: Any,
    lines: Sequence[LineInput] | None,
    files: Sequence[UploadedFile] = (),
    remove_attachments: Sequence[int] = (),
) -> Estimate:
    """Edit a draft (never a sent estimate: ``estimate_revise`` makes a new version of it). The
    lines given replace all of them; ``lines=None`` keeps them (the API's PATCH without lines)."""
    fresh = _locked(estimate)
    _draft_only(fresh)
    checked = _lines_check(lines) if lines is not None else None
    kind, value = _discount_check(discount_kind, discount_value)
    Estimate.objects.filter(pk=fresh.pk).update(
        scope=scope.strip(), notes=notes.strip(), valid_until=valid_until, discount_kind=kind, discount_value=value
    )
    fresh.scope, fresh.notes, fresh.valid_until = scope.strip(), notes.strip(), valid_until
    fresh.discount_kind, fresh.discount_value = kind, value
    if checked is not None:
        _lines_write(fresh, checked)
    if remove_attachments:
        EstimateAttachment.objects.filter(estimate=fresh, pk__in=list(remove_attachments)).delete()
    _attach(fresh, files)
    _totals_store(fresh)
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.ESTIMATE_CHANGED,
        target=_target(fresh),
        detail=_detail(fresh, total=str(fresh.total), lines=len(checked) if checked is not None else None),
    )
    return fresh


def _portal_link(estimate: Estimate) -> str:
    return settings.SITE_URL + reverse("portal_estimate_detail", args=[estimate.org.slug, estimate.pk])


def _staff_url(estimate: Estimate) -> str:
    return reverse("estimate_detail", args=[estimate.org.slug, estimate.pk])


def _tell_client_sent(estimate: Estimate) -> str:
    """The client hears of the estimate (``client_tell``). Returns the channel used ("" when there
    is no way to reach them: the estimate waits in their portal)."""
    org = estimate.org
    link = _portal_link(estimate)

    def message() -> ClientMessage:
        total = money_text(estimate.total, estimate.currency)
        subject = _("%(org)s sent you estimate %(label)s") % {"org": org.name, "label": estimate.label}
        text = _("%(org)s sent you an estimate of %(total)s. Read it, ask a question or approve it here: %(link)s") % {
            "org": org.name,
            "total": total,
            "link": link,
        }
        return ClientMessage(subject=subject, text=text, sms=f"{subject}: {total} {link}")

    return client_tell(
        org=org, client_id=estimate.client_id, key=f"estimate-sent:{estimate.pk}", language="", message=message
    )


@action
def estimate_send(*, estimate: Estimate, actor: Actor) -> Estimate:
    """Draft → sent: its content hash is fixed now, and the client is told (see _tell_client_sent)."""
    fresh = _locked(estimate)
    _draft_only(fresh)
    if fresh.client_id is None:
        raise PorticoError(
            _("This estimate is on a lead: convert the lead to a client before sending it."), code="no_client"
        )
    lines = list(fresh.lines.all())
    if not lines:
        raise PorticoError(_("Add at least one line before sending."), code="no_lines")
    if fresh.valid_until is not None and fresh.valid_until < _org_today(fresh.org):
        raise PorticoError(_("The valid-until date has passed: change it first."), code="invalid")
    digest = content_hash(estimate_content(fresh, lines, list(fresh.attachments.all())))
    now = timezone.now()
    ESTIMATE_MACHINE.apply(
        fresh,
        "send",
        actor=actor,
        updates={"sent_at": now, "content_hash": digest},
        audit_target=_target(fresh),
        detail=_detail(fresh, total=str(fresh.total), hash=digest),
    )
    fresh.sent_at, fresh.content_hash = now, digest
    _changed(fresh, actor)
    _tell_client_sent(fresh)
    estimate.state, estimate.sent_at, estimate.content_hash = fresh.state, now, digest
    return fresh


@action
def estimate_revise(*, estimate: Estimate, actor: Actor) -> Estimate:
    """A sent, declined or expired estimate is never edited: a new draft version (same number, lines,
    attachments and question thread copied) supersedes it."""
    old = _locked(estimate)
    if old.state == EstimateState.DRAFT:
        raise PorticoError(_("This is a draft: edit it instead."), code="invalid_transition")
    ESTIMATE_MACHINE.target(old.state, "supersede")  # refuses approved and superseded ones
    version = Estimate.objects.filter(org_id=old.org_id, number=old.number).aggregate(v=Max("version"))["v"] + 1
    new = Estimate.objects.create(
        org_id=old.org_id,
        client_id=old.client_id,
        lead_id=old.lead_id,
        number=old.number,
        version=version,
        supersedes=old,
        currency=old.currency,
        created_by=actor.user,
        scope=old.scope,
        notes=old.notes,
        valid_until=old.valid_until if old.valid_until and old.valid_until >= _org_today(old.org) else None,
        discount_kind=old.discount_kind,
        discount_value=old.discount_value,
        question_id=old.question_id,
    )
    _lines_write(new, line_inputs(old.lines.values(*LINE_FIELDS)))
    EstimateAttachment.objects.bulk_create(
        [
            EstimateAttachment(estimate=new, file=a.file.name, name=a.name, content_type=a.content_type, size=a.size)
            for a in old.attachments.all()
        ]
    )
    new.org = old.org
    _totals_store(new)
    ESTIMATE_MACHINE.apply(old, "supersede", actor=actor, audit_target=_target(old), detail=_detail(old, by=new.pk))
    audit_record(
        org=old.org_id,
        actor=actor,
        action=AuditAction.ESTIMATE_REVISED,
        target=_target(new),
        to_state=new.state,
        detail=_detail(new, supersedes=old.pk),
    )
    _changed(old, actor)
    estimate.state = old.state
    return new


def _decision_check(estimate: Estimate, seen_hash: str, wanted: str) -> bool:
    """True when the client's tap is a repeat of a decision already made (nothing more to do)."""
    if estimate.state == wanted and estimate.content_hash == seen_hash:
        return True
    if estimate.state == EstimateState.SUPERSEDED:
        raise PorticoError(
            _("This version of the estimate was replaced by a newer one. Please read the new version."),
            code="superseded",
        )
    if estimate.state != EstimateState.SENT:
        ESTIMATE_MACHINE.target(estimate.state, "approve" if wanted == EstimateState.APPROVED else "decline")
    if not seen_hash or seen_hash != estimate.content_hash:
        raise PorticoError(
            _("This estimate is not the one you were shown. Reload the page and read it again."), code="changed"
        )
    if wanted == EstimateState.APPROVED and estimate.valid_until and estimate.valid_until < _org_today(estimate.org):
        # Past its date but not yet swept: it is expired all the same.
        raise PorticoError(
            _("This estimate was valid until %(date)s. Ask us for a new one.")
            % {"date": date_format(estimate.valid_until, "DATE_FORMAT")},
            code="expired",
        )
    return False


@action
def estimate_approve(*, estimate: Estimate, actor: Actor, content_hash: str) -> Estimate:
    """The client's one tap: the version they saw (its id and hash), approved once; a second tap
    finds it approved and changes nothing. Audited with the client's IP and user agent (the actor)."""
    fresh = _locked(estimate)
    if _decision_check(fresh, content_hash, EstimateState.APPROVED):
        return fresh
    ESTIMATE_MACHINE.apply(
        fresh,
        "approve",
        actor=actor,
        updates={"decided_at": timezone.now()},
        audit_target=_target(fresh),
        detail=_detail(fresh, hash=fresh.content_hash, total=str(fresh.total)),
    )
    _changed(fresh, actor)
    notify_navigators(
        client=fresh.client,  # type: ignore[arg-type]
        event=Event(
            kind=EventKind.ESTIMATE_APPROVED,
            key=f"estimate-approved:{fresh.pk}",
            title=_("%(client)s approved estimate %(label)s (%(total)s)")
            % {
                "client": fresh.client.name,  # type: ignore[union-attr]
                "label": fresh.label,
                "total": money_text(fresh.total, fresh.currency),
            },
            url=_staff_url(fresh),
        ),
    )
    estimate.state = fresh.state
    return fresh


@action
def estimate_decline(*, estimate: Estimate, actor: Actor, content_hash: str, reason: str = "") -> Estimate:
    """The client declines the version they saw, with an optional reason; a repeat changes nothing."""
    fresh = _locked(estimate)
    if _decision_check(fresh, content_hash, EstimateState.DECLINED):
        return fresh
    reason = reason.strip()[:500]
    ESTIMATE_MACHINE.apply(
        fresh,
        "decline",
        actor=actor,
        updates={"decided_at": timezone.now(), "decline_reason": reason},
        audit_target=_target(fresh),
        detail=_detail(fresh, hash=fresh.content_hash, reason=reason),
    )
    fresh.decline_reason = reason
    _changed(fresh, actor)
    notify_navigators(
        client=fresh.client,  # type: ignore[arg-type]
        event=Event(
            kind=EventKind.ESTIMATE_DECLINED,
            key=f"estimate-declined:{fresh.pk}",
            title=_("%(client)s declined estimate %(label)s") % {"client": fresh.client.name, "label": fresh.label},  # type: ignore[union-attr]
            body=reason[:300],
            url=_staff_url(fresh),
        ),
    )
    estimate.state = fresh.state
    return fresh


def _question_kind(org: Organization) -> RequestKind:
    """The kind of every estimate question thread: the organization's own "Estimate question" kind
    (in its language), made on the first question and audited as the requests app audits a new kind.
    It is not offered to clients for new requests: its threads start from an estimate only."""
    with translation.override(org.language):
        name = _(QUESTION_KIND)
    existing = RequestKind.objects.filter(org=org, name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: another first question may make it at the same time
            return request_kind_create(org=org, actor=Actor.system(), name=name, offered=False)
    except IntegrityError:
        return RequestKind.objects.get(org=org, name__iexact=name)


@action
def estimate_ask(*, estimate: Estimate, actor: Actor, body: str) -> ClientRequest:
    """The client's question: a request thread tied to the estimate (one per estimate number, kept
    across versions), answered by staff like any request. The first question opens it."""
    fresh = _locked(estimate)
    if fresh.client_id is None or fresh.state == EstimateState.DRAFT:
        raise PorticoError(_("This estimate cannot take questions."), code="invalid")
    client_request = ClientRequest.objects.filter(pk=fresh.question_id).first() if fresh.question_id else None
    if client_request is not None:
        request_reply(client_request=client_request, actor=actor, body=body, from_client=True)
    else:
        with translation.override(fresh.org.language):
            subject = _("Question about estimate %(label)s") % {"label": f"#{fresh.number}"}
        client_request = request_open(
            client=fresh.client,  # type: ignore[arg-type]
            actor=actor,
            kind=_question_kind(fresh.org),
            subject=subject,
            body=body,
            offered_only=False,
        )
        Estimate.objects.filter(org_id=fresh.org_id, number=fresh.number).update(question=client_request)
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.ESTIMATE_QUESTION_ASKED,
        target=_target(fresh),
        detail=_detail(fresh, request=client_request.pk),
    )
    estimate.question_id = client_request.pk
    return client_request


def _past_valid_until(now: dt.datetime) -> Q:
    """Sent estimates whose valid-until date has passed in their organization's time zone, as one
    condition: for each time zone of the organizations with candidates (one query), its local date."""
    latest = (now + dt.timedelta(hours=14)).date()  # no place on earth is further ahead (UTC+14)
    zones = (
        Estimate.objects.filter(state=EstimateState.SENT, valid_until__lt=latest)
        .order_by()
        .values_list("org__time_zone", flat=True)
        .distinct()
    )
    past = Q(pk__in=[])
    for zone in zones:
        today = timezone.localtime(now, time_zone_get(zone)).date()
        past |= Q(org__time_zone=zone, valid_until__lt=today)
    return past


@action(tx="own")
def estimates_expire_due(*, limit: int = 10_000) -> int:
    """The sweep: sent estimates whose valid-until date has passed in their organization's time zone
    become expired (one UPDATE and one INSERT … SELECT of audit rows per organization), and
    ``estimate_changed`` is sent for each."""
    due = Estimate.objects.filter(state=EstimateState.SENT).filter(_past_valid_until(timezone.now()))
    actor = Actor.system()
    with transaction.atomic():
        rows = list(
            due.select_for_update(of=("self",)).select_related("org", "client").order_by("valid_until", "id")[:limit]
        )
        by_org: dict[int, list[Estimate]] = {}
        for row in rows:
            by_org.setdefault(row.org_id, []).append(row)
        moved = 0
        for org_id, estimates in by_org.items():
            moved += ESTIMATE_MACHINE.apply_many(
                Estimate.objects.filter(state=EstimateState.SENT, pk__in=[e.pk for e in estimates]),
                "expire",
                actor=actor,
                org=org_id,
                audit_rows={
                    "target_type": "clients.client",
                    "target_id": F("client_id"),
                    "target_label": F("client__name"),
                    "detail": {"estimate": F("pk"), "number": F("number"), "version": F("version")},
                },
            )
            for estimate in estimates:
                estimate.state = EstimateState.EXPIRED
                _changed(estimate, actor)
        return moved


@action
def estimates_move_to_client(*, lead: Lead, client: Client, actor: Actor) -> int:
    """A converted lead's estimates now belong to its client (on ``lead_converted``, before the
    invitation is sent, so the invitation includes the estimate step)."""
    if lead.org_id != client.org_id:
        raise PorticoError(_("That client is not in the lead's organization."), code="invalid")
    estimates = list(Estimate.objects.filter(org_id=lead.org_id, lead=lead, client=None))
    if not estimates:
        return 0
    Estimate.objects.filter(pk__in=[e.pk for e in estimates]).update(client=client)
    for estimate in estimates:
        estimate.client = client
        _changed(estimate, actor)  # not a move of its state, but the client's journey now has it
        audit_record(
            org=lead.org_id,
            actor=actor,
            action=AuditAction.ESTIMATE_CHANGED,
            target=client,
            detail=_detail(estimate, moved_from_lead=lead.pk),
        )
    return len(estimates)
