from django.contrib import admin

from portico.audit.models import AuditEvent
from portico.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "org", "actor_label", "action", "target_label", "from_state", "to_state"]
    list_filter = ["org", "action", "actor_kind"]
