"""Creating a draft (numbering per organization, the organization's currency, stored totals) and
editing it: only a draft can be changed, on the page or by the action."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.estimates.actions import LineInput, estimate_update
from portico.estimates.content import estimate_totals
from portico.estimates.models import Estimate, EstimateAttachment, EstimateState
from portico.estimates.tests.factories import estimate_make, staff
from portico.orgs.models import Organization
from testing.requests import PNG, png_upload
from testing.world import client_make

pytestmark = pytest.mark.django_db


def _url(name, world, *args):
    return reverse(name, args=[world.org.slug, *args])


def test_numbers_run_per_organization_and_the_currency_is_copied(org_a, org_b):
    Organization.objects.filter(pk=org_a.org.pk).update(currency="MXN")
    org_a.org.refresh_from_db()
    first, second = estimate_make(org_a), estimate_make(org_a)
    theirs = estimate_make(org_b)
    assert (first.number, second.number, theirs.number) == (1, 2, 1)
    assert first.currency == "MXN" and theirs.currency == org_b.org.currency
    Organization.objects.filter(pk=org_a.org.pk).update(currency="EUR")
    first.refresh_from_db()
    assert first.currency == "MXN"  # an estimate keeps the currency it was made in


def test_stored_totals_are_the_computed_ones(org_a):
    estimate = estimate_make(org_a, n_lines=3, discount_kind="percent", discount_value=Decimal("12.5"))
    estimate.refresh_from_db()
    computed = estimate_totals(estimate, list(estimate.lines.all()))
    assert (estimate.subtotal, estimate.discount_total, estimate.tax_total, estimate.total) == (
        computed.subtotal,
        computed.discount,
        computed.tax,
        computed.total,
    )
    assert estimate.total > 0
    assert AuditEvent.objects.filter(action=AuditAction.ESTIMATE_CREATED, target_id=str(estimate.client_id)).exists()


def test_bad_lines_are_refused_and_nothing_is_made(org_a):
    record = client_make(org_a, "Line Client", email="line@example.test")
    with pytest.raises(PorticoError):
        estimate_make(
            org_a, client=record, lines=[LineInput(description="Paint", quantity=Decimal(0), unit_price=Decimal(1))]
        )
    with pytest.raises(PorticoError):
        estimate_make(
            org_a, client=record, lines=[LineInput(description="", quantity=Decimal(1), unit_price=Decimal(1))]
        )
    with pytest.raises(PorticoError):
        estimate_make(
            org_a,
            client=record,
            lines=[LineInput(description="Tax", quantity=Decimal(1), unit_price=Decimal(1), tax_rate=Decimal(101))],
        )
    assert not Estimate.objects.filter(client=record).exists()


def test_only_a_draft_is_edited(org_a):
    sent = estimate_make(org_a, sent=True)
    with pytest.raises(PorticoError) as refused:
        estimate_update(
            estimate=sent,
            actor=staff(org_a),
            scope="Changed",
            notes="",
            valid_until=None,
            discount_kind="",
            discount_value=0,
            lines=[],
        )
    assert refused.value.code == "not_draft"
    sent.refresh_from_db()
    assert sent.scope == "" and sent.lines.count() == 2


def test_the_edit_page_of_a_sent_estimate_changes_nothing(client, org_a):
    sent = estimate_make(org_a, sent=True)
    client.force_login(org_a.admin)
    response = client.post(
        _url("estimate_edit", org_a, sent.pk),
        {"scope": "Sneaky", "description": ["X"], "quantity": ["1"], "unit_price": ["1"]},
    )
    assert response.status_code == 302 and response["Location"] == _url("estimate_detail", org_a, sent.pk)
    sent.refresh_from_db()
    assert sent.scope == "" and sent.state == EstimateState.SENT and sent.lines.count() == 2


def test_new_draft_from_the_record_with_rows_added_and_a_blank_row_left_out(client, org_a):
    record = client_make(org_a, "Page Client", email="page@example.test")
    client.force_login(org_a.admin)
    url = _url("estimate_new", org_a) + f"?client={record.pk}"
    page = client.get(url)
    assert page.status_code == 200 and b'id="add-line"' in page.content and b"line-template" in page.content
    response = client.post(
        url,
        {
            "scope": "Paint the kitchen",
            "description": ["Primer", "Paint", ""],
            "quantity": ["2", "1.5", "1"],
            "unit": ["l", "h", ""],
            "unit_price": ["12.40", "30", ""],
            "tax_rate": ["16", "16", "0"],
            "discount_kind": "amount",
            "discount_value": "5",
            "valid_until": "2099-01-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:6000]
    estimate = Estimate.objects.get(client=record)
    assert response.status_code == 302 and response["Location"] == _url("estimate_detail", org_a, estimate.pk)
    assert [(line.description, line.quantity) for line in estimate.lines.all()] == [
        ("Primer", Decimal("2.000")),
        ("Paint", Decimal("1.500")),
    ]
    # subtotal 24.80 + 45.00 = 69.80; less 5.00 = 64.80, taxed 16 % = 10.37 (10.368): total 75.17
    assert estimate.total == Decimal("75.17") and estimate.tax_total == Decimal("10.37")


def test_edit_removes_a_row_and_keeps_attachments_safe(client, org_a):
    estimate = estimate_make(org_a, n_lines=3)
    client.force_login(org_a.admin)
    url = _url("estimate_edit", org_a, estimate.pk)
    assert client.get(url).status_code == 200
    refused = client.post(
        url,
        {
            "description": ["Only line"],
            "quantity": ["1"],
            "unit_price": ["9"],
            "tax_rate": ["0"],
            "attachments": [png_upload("x.exe", b"MZ\x90\x00")],
        },
    )
    assert refused.status_code == 200 and b"Attach a PDF or a picture" in refused.content
    assert estimate.lines.count() == 3
    done = client.post(
        url,
        {
            "description": ["Only line"],
            "quantity": ["1"],
            "unit_price": ["9"],
            "tax_rate": ["0"],
            "attachments": [png_upload()],
        },
    )
    assert done.status_code == 302
    estimate.refresh_from_db()
    assert [line.description for line in estimate.lines.all()] == ["Only line"] and estimate.total == Decimal("9.00")
    attachment = EstimateAttachment.objects.get(estimate=estimate)
    assert attachment.content_type == "image/png"
    download = client.get(_url("estimate_attachment", org_a, estimate.pk, attachment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert AuditEvent.objects.filter(action=AuditAction.ESTIMATE_CHANGED).count() == 1


def test_a_bad_line_on_the_page_is_a_form_error(client, org_a):
    estimate = estimate_make(org_a)
    client.force_login(org_a.admin)
    response = client.post(
        _url("estimate_edit", org_a, estimate.pk), {"description": ["Paint"], "quantity": ["lots"], "unit_price": ["1"]}
    )
    assert response.status_code == 200 and b"quantity is not a number" in response.content
    assert estimate.lines.count() == 2
