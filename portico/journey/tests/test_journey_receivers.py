"""Changes that cannot move a journey leave it alone: a payment method being set up (or failing
before it was ever confirmed), an agreement drafted, sent or voided unsigned. Not even a query on
the journey: these signals fire inside the webhook and the agreement's actions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico.agreements.actions import agreement_void
from portico.agreements.models import Agreement
from portico.agreements.signals import agreement_changed
from portico.agreements.tests.factories import agreement_sent_make
from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.journey.tests.helpers import journey
from portico.payments.models import PaymentMethod, PaymentMethodState
from portico.payments.signals import payment_method_changed
from portico.work.tests.factories import onboarding_client, payment_method_pending

pytestmark = pytest.mark.django_db


def _journey_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "journey_journey" in q["sql"]]


def _step_changes(client) -> int:
    return AuditEvent.objects.filter(action=AuditAction.JOURNEY_STEP_CHANGED, target_id=str(client.pk)).count()


def _method_changed(method: PaymentMethod) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        payment_method_changed.send(sender=PaymentMethod, payment_method=method, actor=Actor.system())
    return _journey_queries(captured.captured_queries)


def test_a_method_being_set_up_or_failing_unconfirmed_does_not_touch_the_journey(org_a):
    client, _estimate, _agreement, _method = onboarding_client(org_a)
    assert journey(client).current_step == "agreement"
    another = payment_method_pending(org_a, client)
    assert _method_changed(another) == []
    another.state = PaymentMethodState.FAILED  # a card refused before Stripe ever confirmed it
    assert _method_changed(another) == []
    another.state = PaymentMethodState.REMOVED
    assert _method_changed(another) == []


def test_a_confirmed_method_moving_does_refresh(org_a):
    _client, _estimate, _agreement, method = onboarding_client(org_a)
    method.state, method.confirmed_at = PaymentMethodState.REMOVED, timezone.now()
    assert _method_changed(method) != []


def test_an_agreement_sent_or_voided_unsigned_does_not_touch_the_journey(org_a):
    client, _estimate, _agreement, _method = onboarding_client(org_a)
    changes = _step_changes(client)
    with CaptureQueriesContext(connection) as captured:
        again = agreement_sent_make(org_a, client=client)  # voids the first one, unsigned
    assert _journey_queries(captured.captured_queries) == []
    with CaptureQueriesContext(connection) as captured:
        agreement_void(agreement=again, actor=Actor.system(), reason="Wrong scope")
    assert _journey_queries(captured.captured_queries) == []
    assert _step_changes(client) == changes


def test_a_void_after_signing_does_refresh(org_a):
    _client, _estimate, agreement, _method = onboarding_client(org_a)
    agreement.state, agreement.signed_at = "voided", timezone.now()
    with CaptureQueriesContext(connection) as captured:
        agreement_changed.send(sender=Agreement, agreement=agreement, actor=Actor.system())
    assert _journey_queries(captured.captured_queries) != []
