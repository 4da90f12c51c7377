"""The customers app's cases for audit/tests/test_every_action_is_audited.py (action -> case(world, settings))."""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from portico.audit.models import AuditAction
from portico.customers.actions import (
    customer_address_add,
    customer_contact_link,
    customer_contact_unlink,
    customer_deactivate,
    customer_document_add,
    customer_document_remove,
    customer_update,
)
from portico.customers.tests.factories import customer_make, person_make, staff
from testing.world import World


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _changed(w: World) -> None:
    customer_update(customer=customer_make(w), actor=staff(w), industry="Logistics")


def _address(w: World) -> None:
    customer_address_add(
        customer=customer_make(w), actor=staff(w), line1="Calle 5", state="Puebla", postal_code="72000", country="MX"
    )


def _contact_added(w: World) -> None:
    customer_contact_link(customer=customer_make(w), actor=staff(w), contact=person_make(w), role="primary")


def _contact_removed(w: World) -> None:
    customer = customer_make(w)
    customer_contact_link(customer=customer, actor=staff(w), contact=person_make(w), role="primary")
    customer_contact_unlink(link=customer.contacts.get(), actor=staff(w))


def _document_added(w: World) -> None:
    customer_document_add(customer=customer_make(w), actor=staff(w), doc_type="acta", upload=_pdf())


def _document_removed(w: World) -> None:
    document = customer_document_add(customer=customer_make(w), actor=staff(w), doc_type="acta", upload=_pdf())
    customer_document_remove(document=document, actor=staff(w))


AUDIT_CASES: dict[str, Callable[..., object]] = {
    AuditAction.CUSTOMER_CREATED: lambda w, s: customer_make(w),
    AuditAction.CUSTOMER_CHANGED: lambda w, s: _changed(w),
    # Every move of CUSTOMER_MACHINE writes this row (test_customer_status).
    AuditAction.CUSTOMER_STATUS_CHANGED: lambda w, s: customer_deactivate(customer=customer_make(w), actor=staff(w)),
    AuditAction.CUSTOMER_ADDRESS_CHANGED: lambda w, s: _address(w),
    AuditAction.CUSTOMER_CONTACT_ADDED: lambda w, s: _contact_added(w),
    AuditAction.CUSTOMER_CONTACT_REMOVED: lambda w, s: _contact_removed(w),
    AuditAction.CUSTOMER_DOCUMENT_ADDED: lambda w, s: _document_added(w),
    AuditAction.CUSTOMER_DOCUMENT_REMOVED: lambda w, s: _document_removed(w),
}
