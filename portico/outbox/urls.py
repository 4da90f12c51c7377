"""Provider delivery reports (verified by signature; docs/architecture.md, Outgoing messages)."""

from django.urls import include, path

from portico.outbox import webhooks

urlpatterns = [
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path("anymail/", include("anymail.urls")),  # ESP tracking webhooks: /anymail/<esp>/tracking/
]
