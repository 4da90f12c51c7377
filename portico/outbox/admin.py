from django.contrib import admin

from portico.core.admin import ReadOnlyAdmin
from portico.outbox.models import DeliveryEvent, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "org", "channel", "to", "subject", "state", "attempts", "delivery_status"]
    list_filter = ["state", "channel", "org"]
    search_fields = ["to", "subject"]


@admin.register(DeliveryEvent)
class DeliveryEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "provider", "kind", "message", "event_id"]
    list_filter = ["provider", "kind"]
    search_fields = ["event_id", "message__provider_message_id"]
