"""The customers app's factories for orgs/tests/test_permission_matrix.py: a customer for
``customer_id`` (its client record's id), and for the sub-pages a customer with the address,
contact link or document they name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from portico.customers.actions import (
    customer_address_add,
    customer_contact_link,
    customer_deactivate,
    customer_document_add,
)
from portico.customers.tests.factories import customer_make, person_make, staff
from testing.world import World

PDF = b"%PDF-1.4\n%%EOF\n"


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("opinion.pdf", PDF, content_type="application/pdf")


def _inactive(w: World) -> dict[str, Any]:
    customer = customer_make(w)
    customer_deactivate(customer=customer, actor=staff(w))
    return {"customer_id": customer.pk}


def _address(w: World) -> dict[str, Any]:
    customer = customer_make(w)
    saved = customer_address_add(
        customer=customer, actor=staff(w), line1="Av. Juárez 1", state="Jalisco", postal_code="44100", country="MX"
    )
    return {"customer_id": customer.pk, "address_id": saved.customer.addresses.get().pk}


def _contact(w: World) -> dict[str, Any]:
    customer = customer_make(w)
    customer_contact_link(customer=customer, actor=staff(w), contact=person_make(w), role="primary")
    return {"customer_id": customer.pk, "link_id": customer.contacts.get().pk}


def _document(w: World) -> dict[str, Any]:
    customer = customer_make(w)
    document = customer_document_add(customer=customer, actor=staff(w), doc_type="opinion", upload=_pdf())
    return {"customer_id": customer.pk, "document_id": document.pk}


ID_FACTORIES: dict[str, Callable[[World], int]] = {"customer_id": lambda w: customer_make(w).pk}
URL_FACTORIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "customer_activate": _inactive,
    "customer_address_edit": _address,
    "customer_address_remove": _address,
    "customer_contact_remove": _contact,
    "customer_document_download": _document,
    "customer_document_remove": _document,
}
POST_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "customer_address_add": lambda w: {
        "kind": "fiscal",
        "line1": "Insurgentes Sur 1",
        "state": "CDMX",
        "postal_code": "03100",
        "country": "MX",
    },
    "customer_contact_add": lambda w: {"reference": person_make(w).case_number, "role": "billing"},
    "customer_document_add": lambda w: {"doc_type": "constancia", "file": _pdf(), "remind_days_before": "30"},
}
