from django.contrib import admin

from portico.orgs.admin import ReadOnlyAdmin
from portico.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "org", "channel", "to", "subject", "state", "attempts"]
    list_filter = ["state", "channel", "org"]
    search_fields = ["to", "subject"]
