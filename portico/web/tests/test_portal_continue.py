"""The portal's "continue": the client's current journey step's page, or the home when there is
nothing for them to do (a bank account waiting for verification, the journey complete: "You're
all set", said once). Another organization's portal is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.estimates.tests.factories import estimate_make
from portico.journey.tests.helpers import accept, invite
from portico.payments.models import PaymentMethodKind
from portico.work.tests.factories import (
    agreement_sign,
    onboarding_client,
    payment_method_activate,
    payment_method_pending,
)
from testing.world import client_make, portal_set_up

pytestmark = pytest.mark.django_db

ALL_SET = "You&#x27;re all set"


def _continue(world):
    return reverse("portal_continue", args=[world.org.slug])


def test_the_estimate_to_approve_is_next(client, org_a):
    portal_set_up(org_a)
    record = client_make(org_a, "Vera Client", email="vera@example.test")
    estimate = estimate_make(org_a, client=record, sent=True)
    invite(org_a, record)
    client.force_login(accept(record).user)
    response = client.get(_continue(org_a))
    assert response.status_code == 302
    assert response.url == reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk])


def test_agreement_then_waiting_for_the_bank_then_all_set_once(client, org_a):
    record, _estimate, agreement, pending = onboarding_client(org_a)
    pending.delete()  # the card row of the factory: this client adds a bank account instead
    client.force_login(record.profile.organizer)
    response = client.get(_continue(org_a))
    assert response.url == reverse("portal_agreement_detail", args=[org_a.org.slug, agreement.pk])

    agreement_sign(agreement)
    assert client.get(_continue(org_a)).url == reverse("portal_payment_method", args=[org_a.org.slug])

    bank = payment_method_pending(org_a, record, kind=PaymentMethodKind.US_BANK_ACCOUNT)
    response = client.get(_continue(org_a))
    assert response.url == reverse("portal_org_home", args=[org_a.org.slug])  # nothing to do but wait
    home = client.get(response.url).content.decode()
    assert "Waiting for verification" in home and ALL_SET not in home

    payment_method_activate(bank)
    home = client.get(_continue(org_a), follow=True).content.decode()
    assert ALL_SET in home and "Waiting for verification" not in home
    assert ALL_SET not in client.get(_continue(org_a), follow=True).content.decode()  # said once


def test_no_journey_goes_home(client, org_a):
    portal_set_up(org_a)
    record = client_make(org_a)
    invite(org_a, record)
    person = accept(record).user
    record.journey.delete()
    client.force_login(person)
    response = client.get(_continue(org_a))
    assert response.url == reverse("portal_org_home", args=[org_a.org.slug])
    assert ALL_SET not in client.get(response.url).content.decode()


def test_another_organizations_portal_is_404(client, org_a, org_b):
    portal_set_up(org_a)
    record = client_make(org_a)
    invite(org_a, record)
    client.force_login(accept(record).user)
    assert client.get(_continue(org_b)).status_code == 404
    client.logout()
    assert client.get(_continue(org_a)).status_code == 302  # to sign in
