"""Making an agreement: from the template's latest version and the client's latest approved
estimate, fields merged and frozen, numbered per organization, CREATED on the chain, audited."""

from __future__ import annotations

import pytest

from portico.agreements.actions import agreement_create, agreement_update
from portico.agreements.chain import chain_verify
from portico.agreements.models import AgreementEvent, AgreementEventKind, AgreementState
from portico.agreements.tests.factories import agreement_sent_make, approved_estimate_make, template_make
from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.estimates.tests.factories import estimate_make, joined, staff
from portico.estimates.totals import money_text
from testing.world import client_make

pytestmark = pytest.mark.django_db

BODY = "<p>{{ client.name }} pays {{ estimate.total }} to {{ organization.name }} ({{ agreement.number }}).</p>"


def test_fields_are_filled_from_the_latest_approved_estimate_and_frozen(org_a):
    record, person = joined(org_a, "Ana <b>Client</b>", "ana@example.test")
    approved_estimate_make(org_a, record, person, n_lines=1)
    newest = approved_estimate_make(org_a, record, person, n_lines=3)
    template = template_make(org_a, body=BODY, title="Agreement for {{ client.name }}")
    agreement = agreement_create(client=record, template=template, actor=staff(org_a))
    assert agreement.estimate == newest and agreement.state == AgreementState.DRAFT
    total = money_text(newest.total, newest.currency)
    assert agreement.body == (
        f"<p>Ana &lt;b&gt;Client&lt;/b&gt; pays {total} to {org_a.org.name} (A-{agreement.number}).</p>"
    )
    assert agreement.title == "Agreement for Ana <b>Client</b>"
    assert agreement.template_version == template.versions.get()
    event = AgreementEvent.objects.get(agreement=agreement)
    assert event.kind == AgreementEventKind.CREATED and event.data["estimate"] == newest.pk
    assert chain_verify(agreement).intact
    assert AuditEvent.objects.filter(action=AuditAction.AGREEMENT_CREATED, target_id=str(record.pk)).exists()


def test_numbers_count_per_organization(org_a, org_b):
    first = agreement_sent_make(org_a)
    second = agreement_sent_make(org_a)
    other = agreement_sent_make(org_b)
    assert (first.number, second.number, other.number) == (1, 2, 1)


def test_a_template_using_the_estimate_needs_an_approved_one(org_a):
    record = client_make(org_a, "No Estimate", email="none@example.test")
    estimate_make(org_a, client=record, sent=True)  # sent, not approved
    with pytest.raises(PorticoError, match=r"no approved estimate.*\{\{ estimate\.total \}\}"):
        agreement_create(client=record, template=template_make(org_a, body=BODY), actor=staff(org_a))
    plain = agreement_create(client=record, template=template_make(org_a, body="<p>Hi</p>"), actor=staff(org_a))
    assert plain.estimate is None


def test_another_clients_or_an_unapproved_estimate_is_refused(org_a):
    record, _person = joined(org_a)
    other, other_person = joined(org_a, "Other", "other@example.test")
    foreign = approved_estimate_make(org_a, other, other_person)
    template = template_make(org_a, body=BODY)
    with pytest.raises(PorticoError, match="not this client"):
        agreement_create(client=record, template=template, estimate=foreign, actor=staff(org_a))
    draft = estimate_make(org_a, client=record)
    with pytest.raises(PorticoError, match="not approved"):
        agreement_create(client=record, template=template, estimate=draft, actor=staff(org_a))


def test_another_organizations_template_is_refused(org_a, org_b):
    record = client_make(org_a, "Cross", email="cross@example.test")
    with pytest.raises(PorticoError):
        agreement_create(client=record, template=template_make(org_b, body="<p>x</p>"), actor=staff(org_a))


def test_only_a_draft_is_edited_and_its_text_is_cleaned(org_a):
    record = client_make(org_a, "Edit", email="edit@example.test")
    agreement = agreement_create(client=record, template=template_make(org_a), actor=staff(org_a))
    agreement_update(agreement=agreement, actor=staff(org_a), title="New", body="<p>Fine<script>x</script></p>")
    agreement.refresh_from_db()
    assert (agreement.title, agreement.body) == ("New", "<p>Fine</p>")
    sent = agreement_sent_make(org_a)
    with pytest.raises(PorticoError, match="Only a draft"):
        agreement_update(agreement=sent, actor=staff(org_a), title="X", body="<p>X</p>")
