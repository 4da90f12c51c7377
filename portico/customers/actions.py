"""Every change to the company customers catalog (seed 002): quick create (tax id checked, one
customer per tax id in an organization, SAT 69-B screening), completing the record (commercial and
fiscal data, addresses, contacts, compliance documents), deactivating and activating.

After every save the record's completeness decides its status: a complete PAIN record becomes
ACTV ("complete"), an ACTV record that lost a required field goes back to PAIN ("uncomplete").
The required fields are ``customer_missing_fields``'s list (docs/customers.md). Nothing here
notifies anyone (seed 002: no notifications on creation, editing or status changes); every
change is audited. The one notification is the compliance document's expiry reminder."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.actions import client_create, client_update
from portico.clients.models import Client, ClientKind
from portico.clients.taxid import GENERIC_RFCS, tax_id_normalize
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.customers.catalogs import REGIMEN_FISCAL, USO_CFDI
from portico.customers.models import (
    CUSTOMER_MACHINE,
    AddressKind,
    ComplianceDocument,
    ContactRole,
    Customer,
    CustomerAddress,
    CustomerContact,
    CustomerSettings,
    CustomerStatus,
    DocumentType,
    PaymentTerms,
)
from portico.customers.records import (
    Missing,
    customer_missing_fields,
    customer_url,
    document_sniff,
    is_rfc,
    screening_data,
)
from portico.customers.rules import customer_editable_check
from portico.customers.screening import Screening, screening_check
from portico.notifications.actions import Event, notify_user
from portico.notifications.models import EventKind
from portico.orgs.models import Membership, MembershipStatus, Organization

MAX_NAME = 200
MAX_INDUSTRY = 120
CURRENCIES = ("MXN", "USD", "EUR", "CAD")
MAX_REMIND_DAYS = 366
COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS)
_POSTAL_RULES = {
    "MX": (re.compile(r"^\d{5}$"), gettext_lazy("A Mexican postal code has 5 digits.")),
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), gettext_lazy("A US ZIP code has 5 digits (or 5+4: 12345-6789).")),
}
CUSTOMER_FIELDS = (
    "legal_name",
    "trade_name",
    "industry",
    "website",
    "payment_terms",
    "credit_limit",
    "currency",
    "sales_owner",
    "regimen_fiscal",
    "uso_cfdi",
    "fiscal_postal_code",
)


def _invalid(message: str, name: str) -> PorticoError:
    return PorticoError(message, code="invalid", extra={"field": name})


# --- completeness ---


@dataclass
class Saved:
    """A save's outcome: the customer (status up to date) and what it still misses."""

    customer: Customer
    missing: list[Missing] = field(default_factory=list)


def _status_refresh(customer: Customer, actor: Actor) -> list[Missing]:
    """PAIN → ACTV when complete, ACTV → PAIN when not (INAC stays as it is)."""
    missing = customer_missing_fields(customer)
    if not missing and customer.status == CustomerStatus.PARTIAL:
        CUSTOMER_MACHINE.apply(customer, "complete", actor=actor, updates={"updated_at": timezone.now()})
    elif missing and customer.status == CustomerStatus.ACTIVE:
        CUSTOMER_MACHINE.apply(
            customer,
            "uncomplete",
            actor=actor,
            updates={"updated_at": timezone.now()},
            detail={"missing": [m.field for m in missing]},
        )
    return missing


def _locked(customer: Customer) -> Customer:
    """The customer row again, locked until the transaction ends (two saves at once take turns);
    an inactive customer is refused here, before anything changes."""
    fresh = (
        Customer.objects.select_for_update(of=("self",), no_key=True)
        .select_related("client", "org")
        .get(pk=customer.pk)
    )
    customer_editable_check(fresh)
    return fresh


def _label(customer: Customer) -> str:
    return customer.client.name[:200]


# --- quick create ---


@dataclass
class Created:
    customer: Customer
    screening: Screening


def _text(value: str | None, name: str, label: str, limit: int = MAX_NAME, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(_("%(field)s is required.") % {"field": label}, name)
    if len(value) > limit:
        raise _invalid(_("%(field)s can be at most %(n)s characters.") % {"field": label, "n": limit}, name)
    if "\x00" in value:
        raise _invalid(_("Text may not contain NUL characters."), name)
    return value


@action
def customer_quick_create(
    *,
    org: Organization,
    actor: Actor,
    legal_name: str,
    trade_name: str,
    tax_id: str,
    acknowledge_screening: bool = False,
) -> Created:
    """+ New Customer: a company client record and its customer row, with partial information
    (PAIN). The tax id must be a valid RFC or EIN, not already a customer of ``org`` (the generic
    RFCs excepted: many customers share them), and the SAT 69-B policy must not block it."""
    legal_name = _text(legal_name, "legal_name", _("Legal name"))
    trade_name = _text(trade_name, "trade_name", _("Trade name"))
    if not (tax_id or "").strip():
        raise _invalid(_("RFC/EIN is required."), "tax_id")
    tax_id = tax_id_normalize(tax_id)
    # One creator at a time per organization, so two people typing the same RFC cannot both pass
    # the duplicate check: the settings row is the organization's lock.
    CustomerSettings.objects.get_or_create(org=org)
    CustomerSettings.objects.select_for_update(no_key=True).get(org=org)
    if tax_id not in GENERIC_RFCS:
        existing = (
            # client__org too: the (org_id, tax_id) index on clients_client needs both columns (with
            # the customer's org alone, PostgreSQL read the whole index for the tax id: ~130 ms).
            Customer.objects.filter(org=org, client__org=org, client__tax_id=tax_id, client__deleted_at=None)
            .select_related("client")
            .first()
        )
        if existing is not None:
            raise PorticoError(
                _("%(tax_id)s is already the tax id of customer %(name)s.")
                % {"tax_id": tax_id, "name": existing.client.name},
                code="duplicate_tax_id",
                extra={
                    "field": "tax_id",
                    "customer_id": existing.pk,
                    "url": customer_url(existing, org.slug),
                    "name": existing.client.name,
                },
            )
    screening = screening_check(org=org, tax_id=tax_id)
    entry = screening.entry
    if entry is not None and screening.blocks:
        raise PorticoError(
            _(
                "%(tax_id)s is on the SAT 69-B list (%(situation)s) and this organization does not create "
                "customers in that situation."
            )
            % {"tax_id": tax_id, "situation": entry.get_situation_display()},
            code="screening_blocked",
            extra={"field": "tax_id", **screening_data(screening)},
        )
    client = client_create(
        org=org, actor=actor, name=legal_name, kind=ClientKind.COMPANY, trade_name=trade_name, tax_id=tax_id
    )
    now = timezone.now()
    customer = Customer.objects.create(
        client=client,
        org=org,
        status=CustomerStatus.PARTIAL,
        currency=org.currency if org.currency in CURRENCIES else "MXN",
        sat69b_situation=entry.situation if entry is not None else "",
        sat69b_checked_at=now if is_rfc(tax_id) else None,
        created_at=now,
        updated_at=now,
    )
    customer.client = client
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.CUSTOMER_CREATED,
        target=customer,
        target_label=_label(customer),
        to_state=customer.status,
        detail={
            "client": client.pk,
            "tax_id": tax_id,
            "screening": screening_data(screening),
            "screening_acknowledged": bool(acknowledge_screening),
        },
    )
    return Created(customer=customer, screening=screening)


# --- commercial and fiscal data ---


def _clean(customer: Customer, name: str, value: Any) -> Any:
    if name in ("legal_name", "trade_name"):
        label = _("Legal name") if name == "legal_name" else _("Trade name")
        return _text(value, name, label)
    if name == "industry":
        return _text(value, name, _("Industry"), MAX_INDUSTRY, required=False)
    if name == "website":
        value = (value or "").strip()
        if value and "://" not in value:
            value = "https://" + value
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                raise _invalid(_("Enter a website address such as https://example.com."), name) from None
        return value[:200]
    if name == "payment_terms":
        value = value or ""
        if value and value not in PaymentTerms.values:
            raise _invalid(_("Choose payment terms from the list."), name)
        return value
    if name == "credit_limit":
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise _invalid(_("Enter the credit limit as an amount, e.g. 50000.00."), name) from None
        if amount < 0 or amount >= Decimal("1e12"):
            raise _invalid(_("The credit limit must be between 0 and 999,999,999,999.99."), name)
        return amount
    if name == "currency":
        value = (value or "").strip().upper() or "MXN"
        if value not in CURRENCIES:
            raise _invalid(_("Choose one of: %(codes)s.") % {"codes": ", ".join(CURRENCIES)}, name)
        return value
    if name == "sales_owner":
        if value in (None, ""):
            return None
        user = value if isinstance(value, User) else User.objects.filter(pk=value).first()
        if (
            user is None
            or not Membership.objects.filter(org_id=customer.org_id, user=user, status=MembershipStatus.ACTIVE).exists()
        ):
            raise _invalid(_("Choose a staff member of this organization as the sales owner."), name)
        return user
    if name == "regimen_fiscal":
        value = value or ""
        if value and value not in dict(REGIMEN_FISCAL):
            raise _invalid(_("Choose a régimen fiscal from the SAT catalog."), name)
        return value
    if name == "uso_cfdi":
        value = value or ""
        if value and value not in dict(USO_CFDI):
            raise _invalid(_("Choose a uso de CFDI from the SAT catalog."), name)
        return value
    if name == "fiscal_postal_code":
        value = (value or "").strip()
        if value and is_rfc(customer.client.tax_id) and not re.fullmatch(r"\d{5}", value):
            raise _invalid(_("The fiscal postal code of an RFC has 5 digits."), name)
        if len(value) > 10:
            raise _invalid(_("A postal code has at most 10 characters."), name)
        return value
    raise ValueError(f"not a customer field: {name}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, User):
        return value.pk
    return value


@action
def customer_update(*, customer: Customer, actor: Actor, **fields: Any) -> Saved:
    """Change the fields given (only those; ``CUSTOMER_FIELDS``). The tax id cannot change after
    creation. Refused for an inactive customer. Every refused field is reported at once
    (``extra["errors"]``). Then the status follows completeness."""
    if "tax_id" in fields:
        raise _invalid(
            _("The RFC/EIN cannot change after the customer is created. Create a new customer instead."), "tax_id"
        )
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"not customer fields: {sorted(unknown)}")
    fresh = _locked(customer)
    clean: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, value in fields.items():
        try:
            clean[name] = _clean(fresh, name, value)
        except PorticoError as exc:
            errors.append({"field": name, "message": str(exc.message)})
    if errors:
        raise PorticoError(errors[0]["message"], code="invalid", extra={"field": errors[0]["field"], "errors": errors})
    changes: dict[str, Any] = {}
    client_fields: dict[str, Any] = {}
    for name, value in clean.items():
        if name in ("legal_name", "trade_name"):
            attr = "name" if name == "legal_name" else "trade_name"
            old = getattr(fresh.client, attr)
            if old != value:
                changes[name] = {"from": old, "to": value}
                client_fields[attr] = value
            continue
        attr = "sales_owner_id" if name == "sales_owner" else name
        old = getattr(fresh, attr)
        new = value.pk if isinstance(value, User) else value
        if old != new:
            changes[name] = {"from": _jsonable(old), "to": _jsonable(new)}
            setattr(fresh, attr, new)
    if client_fields:
        client_update(client=fresh.client, actor=actor, **client_fields)
    if changes:
        fresh.updated_at = timezone.now()
        own = [
            ("sales_owner_id" if n == "sales_owner" else n) for n in changes if n not in ("legal_name", "trade_name")
        ]
        fresh.save(update_fields=[*own, "updated_at"])
        audit_record(
            org=fresh.org_id,
            actor=actor,
            action=AuditAction.CUSTOMER_CHANGED,
            target=fresh,
            target_label=_label(fresh),
            detail={"changed": sorted(changes), "changes": changes},
        )
    missing = _status_refresh(fresh, actor)
    _copy(fresh, customer)
    return Saved(customer=customer, missing=missing)


def _copy(source: Customer, target: Customer) -> None:
    """The caller's object sees what was saved."""
    if source is target:
        return
    for f in Customer._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target.client = source.client


# --- addresses ---


def _address_clean(fields: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    def check(name: str, rule: Any) -> None:
        if name in fields:
            try:
                clean[name] = rule(fields[name])
            except PorticoError as exc:
                errors.append({"field": name, "message": str(exc.message)})

    def kind(value: Any) -> str:
        value = value or AddressKind.FISCAL
        if value not in AddressKind.values:
            raise _invalid(_("Choose the kind of address."), "kind")
        return str(value)

    def country(value: Any) -> str:
        value = (value or "").strip().upper()
        if value not in COUNTRIES:
            raise _invalid(_("Enter the country as its two-letter ISO code, e.g. MX or US."), "country")
        return value

    check("kind", kind)
    check("line1", lambda v: _text(v, "line1", _("Street and number")))
    check("line2", lambda v: _text(v, "line2", _("Neighbourhood, suite"), required=False))
    check("city", lambda v: _text(v, "city", _("City"), 120, required=False))
    check("state", lambda v: _text(v, "state", _("State"), 120))
    check("country", country)
    check("postal_code", lambda v: _text(v, "postal_code", _("Postal code"), 10).upper())
    if errors:
        raise PorticoError(errors[0]["message"], code="invalid", extra={"field": errors[0]["field"], "errors": errors})
    return clean


def _postal_check(address: CustomerAddress) -> None:
    rule = _POSTAL_RULES.get(address.country)
    if rule is not None and not rule[0].fullmatch(address.postal_code):
        raise _invalid(str(rule[1]), "postal_code")


ADDRESS_FIELDS = ("kind", "line1", "line2", "city", "state", "postal_code", "country")


@action
def customer_address_add(*, customer: Customer, actor: Actor, **fields: Any) -> Saved:
    """A new address (country as ISO code; the postal code checked for MX and US)."""
    fresh = _locked(customer)
    for name in ("line1", "state", "postal_code", "country"):
        fields.setdefault(name, "")
    address = CustomerAddress(customer=fresh, **_address_clean(fields))
    _postal_check(address)
    address.save()
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_ADDRESS_CHANGED,
        target=fresh,
        target_label=_label(fresh),
        detail={"change": "added", "address": address.pk, "text": str(address)},
    )
    missing = _status_refresh(fresh, actor)
    _copy(fresh, customer)
    return Saved(customer=customer, missing=missing)


@action
def customer_address_update(*, address: CustomerAddress, actor: Actor, **fields: Any) -> Saved:
    fresh = _locked(address.customer)
    address = CustomerAddress.objects.get(pk=address.pk, customer=fresh)
    before = str(address)
    for name, value in _address_clean(fields).items():
        setattr(address, name, value)
    _postal_check(address)
    address.save()
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_ADDRESS_CHANGED,
        target=fresh,
        target_label=_label(fresh),
        detail={"change": "changed", "address": address.pk, "from": before, "to": str(address)},
    )
    missing = _status_refresh(fresh, actor)
    return Saved(customer=fresh, missing=missing)


@action
def customer_address_remove(*, address: CustomerAddress, actor: Actor) -> Saved:
    fresh = _locked(address.customer)
    text, pk = str(address), address.pk
    CustomerAddress.objects.filter(pk=pk, customer=fresh).delete()
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_ADDRESS_CHANGED,
        target=fresh,
        target_label=_label(fresh),
        detail={"change": "removed", "address": pk, "text": text},
    )
    missing = _status_refresh(fresh, actor)
    return Saved(customer=fresh, missing=missing)


# --- contacts ---


@action
def customer_contact_link(*, customer: Customer, actor: Actor, contact: Client, role: str) -> Saved:
    """Link a person client record of the same organization as a contact with a role."""
    fresh = _locked(customer)
    if contact.org_id != fresh.org_id or contact.deleted_at is not None:
        raise _invalid(_("That client record is not in this organization."), "contact")
    if contact.kind != ClientKind.PERSON:
        raise _invalid(_("A contact is a person's client record, not a company's."), "contact")
    if role not in ContactRole.values:
        raise _invalid(_("Choose the contact's role."), "role")
    if CustomerContact.objects.filter(customer=fresh, contact=contact).exists():
        raise _invalid(_("%(name)s is already a contact of this customer.") % {"name": contact.name}, "contact")
    link = CustomerContact.objects.create(customer=fresh, contact=contact, role=role)
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_CONTACT_ADDED,
        target=fresh,
        target_label=_label(fresh),
        detail={"contact": contact.pk, "name": contact.name, "role": role, "link": link.pk},
    )
    missing = _status_refresh(fresh, actor)
    _copy(fresh, customer)
    return Saved(customer=customer, missing=missing)


@action
def customer_contact_unlink(*, link: CustomerContact, actor: Actor) -> Saved:
    fresh = _locked(link.customer)
    CustomerContact.objects.filter(pk=link.pk, customer=fresh).delete()
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_CONTACT_REMOVED,
        target=fresh,
        target_label=_label(fresh),
        detail={"contact": link.contact_id, "role": link.role},
    )
    missing = _status_refresh(fresh, actor)
    return Saved(customer=fresh, missing=missing)


# --- compliance documents ---


def _safe_name(name: str) -> str:
    base = re.sub(r"[^\w.\- ]+", "_", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" .")
    return (base or "document")[:150]


@action
def customer_document_add(
    *,
    customer: Customer,
    actor: Actor,
    doc_type: str,
    upload: UploadedFile,
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    remind_days_before: int = 30,
) -> ComplianceDocument:
    """A compliance document: the file's content decides whether it is a PDF, JPEG or PNG; it is
    stored under a random name with its SHA-256, and only ever sent back as a download."""
    fresh = _locked(customer)
    if doc_type not in DocumentType.values:
        raise _invalid(_("Choose the type of document."), "doc_type")
    if issued_on and expires_on and expires_on < issued_on:
        raise _invalid(_("The expiry date cannot be before the issue date."), "expires_on")
    if not 0 <= int(remind_days_before) <= MAX_REMIND_DAYS:
        raise _invalid(
            _("The reminder can be from 0 to %(n)s days before expiry.") % {"n": MAX_REMIND_DAYS},
            "remind_days_before",
        )
    data, content_type, ext = document_sniff(upload)
    original = _safe_name(upload.name or "")
    document = ComplianceDocument(
        customer=fresh,
        org_id=fresh.org_id,
        doc_type=doc_type,
        original_name=original,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        issued_on=issued_on,
        expires_on=expires_on,
        remind_days_before=int(remind_days_before),
        uploaded_by=actor.user,
    )
    document.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    document.save()
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_DOCUMENT_ADDED,
        target=fresh,
        target_label=_label(fresh),
        detail={
            "document": document.pk,
            "type": doc_type,
            "name": original,
            "sha256": document.sha256,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    _status_refresh(fresh, actor)
    _copy(fresh, customer)
    return document


@action
def customer_document_remove(*, document: ComplianceDocument, actor: Actor) -> Saved:
    fresh = _locked(document.customer)
    detail = {"document": document.pk, "type": document.doc_type, "name": document.original_name}
    stored = document.file.name
    storage = document.file.storage
    ComplianceDocument.objects.filter(pk=document.pk, customer=fresh).delete()
    audit_record(
        org=fresh.org_id,
        actor=actor,
        action=AuditAction.CUSTOMER_DOCUMENT_REMOVED,
        target=fresh,
        target_label=_label(fresh),
        detail=detail,
    )
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
    missing = _status_refresh(fresh, actor)
    return Saved(customer=fresh, missing=missing)


@action(audited=False, why="the notification row (and its messages) is the record of the reminder")
def documents_remind_due(*, today: dt.date | None = None) -> int:
    """The daily sweep: tell each document's customer's sales owner, once, that it expires within
    its reminder window (``reminded_at`` marks it told). Inactive customers are left alone."""
    today = today or timezone.localdate()
    due = (
        ComplianceDocument.objects.filter(
            reminded_at=None,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=MAX_REMIND_DAYS),
        )
        .exclude(customer__status=CustomerStatus.INACTIVE)
        .exclude(customer__sales_owner=None)
        .select_related("customer__client", "customer__sales_owner", "org")
        .order_by("expires_on", "pk")
    )
    told = 0
    for document in due.iterator(chunk_size=500):
        assert document.expires_on is not None
        if document.expires_on - dt.timedelta(days=document.remind_days_before) > today:
            continue
        if ComplianceDocument.objects.filter(pk=document.pk, reminded_at=None).update(reminded_at=timezone.now()) != 1:
            continue
        customer = document.customer
        owner = customer.sales_owner
        assert owner is not None
        with translation.override(document.org.language):
            title = _("%(document)s of %(customer)s expires on %(date)s") % {
                "document": document.get_doc_type_display(),
                "customer": customer.client.name,
                "date": document.expires_on.isoformat(),
            }
        notify_user(
            org=document.org,
            user=owner,
            event=Event(
                kind=EventKind.DOCUMENT_EXPIRING,
                key=f"document-expiring:{document.pk}",
                title=title[:200],
                url=customer_url(customer, document.org.slug),
            ),
            client=customer.client,
        )
        told += 1
    return told


# --- deactivate / activate ---


@action
def customer_deactivate(*, customer: Customer, actor: Actor) -> Customer:
    """PAIN/ACTV → INAC at once (seed 002: no confirmation; the UI offers Undo)."""
    CUSTOMER_MACHINE.apply(
        customer, "deactivate", actor=actor, updates={"updated_at": timezone.now()}, target_label=_label(customer)
    )
    return customer


@action
def customer_activate(*, customer: Customer, actor: Actor) -> Customer:
    """INAC → ACTV when the record is complete, else → PAIN."""
    move = "activate" if not customer_missing_fields(customer) else "activate_partial"
    CUSTOMER_MACHINE.apply(
        customer, move, actor=actor, updates={"updated_at": timezone.now()}, target_label=_label(customer)
    )
    return customer
