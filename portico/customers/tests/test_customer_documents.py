"""Compliance documents: only real PDF/JPEG/PNG files (told by their content), at most 10 MB,
stored under a random name with their SHA-256; removal; the expiry reminder to the sales owner,
once per document."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.customers import records
from portico.customers.actions import customer_document_add, customer_document_remove, documents_remind_due
from portico.customers.models import ComplianceDocument
from portico.customers.tests.factories import customer_complete, customer_make, staff
from portico.notifications.models import EventKind, Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(data=PDF, name="constancia.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_pdf_is_stored_with_its_hash_under_a_random_name(org_a):
    customer = customer_make(org_a)
    document = customer_document_add(
        customer=customer,
        actor=staff(org_a),
        doc_type="constancia",
        upload=_upload(name="../../etc/Constancia <2025>.pdf"),
        issued_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2026, 1, 1),
    )
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert "Constancia" not in document.file.name and document.file.name.endswith(".pdf")
    assert "/" not in document.original_name and "<" not in document.original_name
    assert AuditEvent.objects.get(action=AuditAction.CUSTOMER_DOCUMENT_ADDED).detail["sha256"] == document.sha256


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"<html><script>alert(1)</script>", "application/pdf"),
        (b"GIF89a....", "image/gif"),
        (b"MZ\x90\x00", "image/png"),
    ],
)
def test_anything_but_pdf_jpeg_png_is_refused_whatever_it_claims(org_a, data, content_type):
    with pytest.raises(PorticoError) as refused:
        customer_document_add(
            customer=customer_make(org_a),
            actor=staff(org_a),
            doc_type="other",
            upload=_upload(data, "x.pdf", content_type),
        )
    assert refused.value.code == "not_document"
    assert not ComplianceDocument.objects.exists()


def test_too_big_is_refused(org_a, monkeypatch):
    monkeypatch.setattr(records, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(PorticoError) as refused:
        customer_document_add(
            customer=customer_make(org_a), actor=staff(org_a), doc_type="other", upload=_upload(PDF + b"x" * 200)
        )
    assert refused.value.code == "too_big"


def test_expiry_before_issue_is_refused(org_a):
    with pytest.raises(PorticoError):
        customer_document_add(
            customer=customer_make(org_a),
            actor=staff(org_a),
            doc_type="opinion",
            upload=_upload(),
            issued_on=dt.date(2025, 2, 1),
            expires_on=dt.date(2025, 1, 1),
        )


def test_remove(org_a):
    document = customer_document_add(customer=customer_make(org_a), actor=staff(org_a), doc_type="w9", upload=_upload())
    customer_document_remove(document=document, actor=staff(org_a))
    assert not ComplianceDocument.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CUSTOMER_DOCUMENT_REMOVED).count() == 1


def test_the_sales_owner_is_reminded_once_inside_the_window(org_a):
    customer = customer_complete(org_a)  # sales owner: the admin
    today = dt.date(2026, 3, 1)
    due = customer_document_add(
        customer=customer,
        actor=staff(org_a),
        doc_type="opinion",
        upload=_upload(),
        expires_on=dt.date(2026, 3, 20),
        remind_days_before=30,
    )
    customer_document_add(
        customer=customer,
        actor=staff(org_a),
        doc_type="acta",
        upload=_upload(),
        expires_on=dt.date(2026, 6, 1),
        remind_days_before=30,
    )
    assert documents_remind_due(today=today) == 1
    assert documents_remind_due(today=today) == 0  # once
    note = Notification.objects.get()
    assert note.kind == EventKind.DOCUMENT_EXPIRING and note.recipient_id == org_a.admin.pk
    due.refresh_from_db()
    assert due.reminded_at is not None


def test_no_owner_no_reminder(org_a):
    customer = customer_make(org_a)
    customer_document_add(
        customer=customer, actor=staff(org_a), doc_type="opinion", upload=_upload(), expires_on=dt.date(2026, 3, 5)
    )
    assert documents_remind_due(today=dt.date(2026, 3, 1)) == 0
