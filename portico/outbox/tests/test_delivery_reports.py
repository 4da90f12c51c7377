"""Provider reports move a message's delivery forward only, whatever order they arrive in."""

import pytest
from django.utils import timezone

from portico.outbox.actions import outbox_delivery_event_apply, outbox_enqueue
from portico.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db

# (first report, second report) → the delivery Sent messages shows
LATER_REPORTS = {
    ("sent", "delivered"): "delivered",
    ("sent", "bounced"): "bounced",
    ("sent", "failed"): "failed",
    ("delivered", "sent"): "delivered",
    ("delivered", "bounced"): "bounced",
    ("delivered", "failed"): "failed",
    ("bounced", "sent"): "bounced",
    ("bounced", "delivered"): "bounced",
    ("bounced", "failed"): "bounced",
    ("failed", "sent"): "failed",
    ("failed", "delivered"): "failed",
    ("failed", "bounced"): "failed",
}


def _report(message, kind, n):
    return outbox_delivery_event_apply(
        message=message, provider="test", event_id=f"test:{message.pk}:{n}", kind=kind, at=timezone.now()
    )


@pytest.mark.parametrize(("first", "second"), sorted(LATER_REPORTS))
def test_a_report_moves_the_delivery_only_forward(org_a, first, second):
    message = outbox_enqueue(org=org_a.org, channel="sms", to="+525512345678", idempotency_key="m", body_text="Hi")
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == ""  # no report yet
    assert _report(message, first, 1)
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == first
    assert _report(message, second, 2)  # recorded (a DeliveryEvent) even when it moves nothing
    assert OutboxMessage.objects.get(pk=message.pk).delivery_status == LATER_REPORTS[first, second]
