from django.contrib import admin

from portico.accounts.models import User
from portico.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "is_active", "is_operator", "date_joined"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]
