"""Part 2's steps, derived from facts like the others: the service agreement (signed; a voided
one, even voided after signing, does not count) and the payment method (active; an ACH account
waiting for its microdeposits does not count). Which apply is decided when the journey starts (a
template in use, or an agreement already sent; Stripe connected), the same way one by one and in
bulk. The board gets their columns, the one-tap reminder names them, the portal's checklist
links to their pages, and the record shows the job made at the end."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from portico.agreements.actions import agreement_template_archive, agreement_void
from portico.agreements.models import AgreementTemplate
from portico.agreements.tests.factories import agreement_sent_make, template_make
from portico.core.actors import Actor
from portico.invitations.bulk import bulk_invitation_start
from portico.journey.actions import journey_refresh
from portico.journey.models import COMPLETE, Journey
from portico.journey.steps import journey_steps_choose, steps_optional
from portico.journey.tests.helpers import invite, journey, stored_equals_facts
from portico.payments.models import PaymentMethodKind
from portico.work.models import Job
from portico.work.tests.factories import (
    agreement_sign,
    onboarding_client,
    payment_method_activate,
    payment_method_pending,
    stripe_connect,
)
from testing.world import client_make, run_tasks

pytestmark = pytest.mark.django_db


def test_new_organizations_offer_and_use_both_steps(client, org_a):
    assert [s.key for s in steps_optional()] == ["estimate", "agreement", "payment"]
    client.force_login(org_a.admin)
    html = client.get(reverse("journey_settings", args=[org_a.org.slug])).content.decode()
    assert 'value="agreement"' in html and 'value="payment"' in html
    assert "Create a job when a client completes onboarding" in html
    assert re.search(r'name="create_job"[^>]*checked', html)


def test_the_steps_apply_only_with_a_template_in_use_or_stripe_connected(org_a):
    plain = invite(org_a, name="Plain Client")
    assert journey(plain).steps == ["invite", "account"]
    template = template_make(org_a)
    with_template = invite(org_a, client_make(org_a, "Tess Template", email="tess@example.test"))
    assert journey(with_template).steps == ["invite", "account", "agreement"]
    stripe_connect(org_a)
    both = invite(org_a, client_make(org_a, "Bea Both", email="bea@example.test"))
    assert journey(both).steps == ["invite", "account", "agreement", "payment"]
    agreement_template_archive(template=template, actor=Actor.system())
    archived = invite(org_a, client_make(org_a, "Arch Ived", email="arch@example.test"))
    assert journey(archived).steps == ["invite", "account", "payment"]
    # Journeys already started keep their steps.
    assert journey(with_template).steps == ["invite", "account", "agreement"]


def test_an_agreement_sent_before_the_journey_adds_the_step(org_a):
    record = client_make(org_a, "Early Agreement", email="early@example.test")
    agreement_sent_make(org_a, client=record)
    for template in AgreementTemplate.objects.filter(org=org_a.org):  # no template in use: the sent agreement decides
        agreement_template_archive(template=template, actor=Actor.system())
    invite(org_a, record)
    assert journey(record).steps == ["invite", "account", "agreement"]


def test_bulk_invitations_choose_the_same_steps(org_a):
    template_make(org_a)
    stripe_connect(org_a)
    invite(org_a, client_make(org_a, "First One", email="first@example.test"))  # sets up the portal
    records = [client_make(org_a, f"Bulk {n}", email=f"bulk{n}@example.test") for n in range(3)]
    bulk_invitation_start(org=org_a.org, actor=Actor.system(), client_ids=[r.pk for r in records], channel="email")
    run_tasks()
    for record in records:
        stored = journey(record)
        assert stored.steps == journey_steps_choose(record, stored.started_at, ["estimate", "agreement", "payment"])
        assert stored.steps == ["invite", "account", "agreement", "payment"]
        assert stored_equals_facts(record)


def test_ach_pending_does_not_complete_the_payment_step(org_a):
    client, _estimate, agreement, _card = onboarding_client(org_a)
    agreement_sign(agreement)
    ach = payment_method_pending(org_a, client, kind=PaymentMethodKind.US_BANK_ACCOUNT)
    journey_refresh(client=client, actor=Actor.system())
    assert journey(client).current_step == "payment"  # microdeposits still to verify
    assert not Job.objects.filter(client=client).exists()
    payment_method_activate(ach)  # Stripe's webhook, days later
    assert journey(client).current_step == COMPLETE
    assert Job.objects.get(client=client).payment_method == ach


def test_a_signed_agreement_voided_later_no_longer_counts(org_a):
    client, _estimate, agreement, method = onboarding_client(org_a)
    agreement_sign(agreement)
    payment_method_activate(method)
    assert journey(client).current_step == COMPLETE
    job = Job.objects.get(client=client)

    agreement_void(agreement=agreement, actor=Actor.system(), reason="Wrong scope")
    back = journey(client)
    assert (back.current_step, back.completed_at) == ("agreement", None)
    assert "agreement" not in back.reached and stored_equals_facts(client)

    again = agreement_sent_make(org_a, client=client)
    agreement_sign(again)
    assert journey(client).current_step == COMPLETE
    assert list(Job.objects.filter(client=client)) == [job]  # completed again: still the one job


def test_the_board_has_their_columns_and_reminds_of_them(client, org_a, deliver):
    at_agreement, _e, _a, _m = onboarding_client(org_a, name="Alma Agreement")
    at_payment, _e2, agreement, _m2 = onboarding_client(org_a, name="Paul Payment")
    agreement_sign(agreement)
    client.force_login(org_a.admin)
    html = client.get(reverse("journey_board", args=[org_a.org.slug])).content.decode()
    assert 'id="column-agreement"' in html and 'id="column-payment"' in html
    assert "Agreement to sign" in html and "Payment method to add" in html
    columns = {
        c.step.key: [r.client_id for r in c.page.rows]
        for c in client.get(reverse("journey_board", args=[org_a.org.slug])).context["board"].columns
    }
    assert columns["agreement"] == [at_agreement.pk] and columns["payment"] == [at_payment.pk]
    mail.outbox.clear()
    for record, todo in ((at_agreement, "Sign your service agreement"), (at_payment, "Add a payment method")):
        with deliver():
            response = client.post(reverse("journey_remind", args=[org_a.org.slug, journey(record).pk]))
        assert response.status_code == 302
        assert todo in mail.outbox[-1].body


def test_the_portal_checklist_links_to_the_agreement_and_the_payment_pages(client, org_a):
    record, _estimate, agreement, _method = onboarding_client(org_a)
    person = record.profile.organizer
    client.force_login(person)
    html = client.get(reverse("portal_org_home", args=[org_a.org.slug])).content.decode()
    assert re.findall(r'data-step="(\w+)"', html) == ["agreement", "payment", "invite", "account", "estimate"]
    assert "Sign your service agreement" in html and "Add a payment method (card or bank account)" in html
    for url in (
        reverse("portal_agreement_detail", args=[org_a.org.slug, agreement.pk]),
        reverse("portal_payment_method", args=[org_a.org.slug]),
    ):
        assert f'href="{url}"' in html


def test_the_record_shows_the_job_made_at_the_end(client, org_a):
    record, _estimate, agreement, method = onboarding_client(org_a)
    agreement_sign(agreement)
    payment_method_activate(method)
    job = Job.objects.get(client=record)
    client.force_login(org_a.admin)
    html = client.get(
        reverse("client_detail", args=[org_a.org.slug, record.pk]), {"section": "onboarding"}
    ).content.decode()
    assert f'href="{reverse("work_job_detail", args=[org_a.org.slug, job.pk])}"' in html
    board = client.get(reverse("journey_board", args=[org_a.org.slug])).content.decode()
    assert 'id="board-jobs"' in board
    assert Journey.objects.get(client=record).completed_at is not None
