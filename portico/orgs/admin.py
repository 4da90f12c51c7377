"""Django admin: support operators only (User.is_staff is true for operators alone).

State changes still belong to actions; the admin is for looking, so most models are read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portico.orgs.models import Membership, Organization, Role, StaffInvitation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "require_mfa", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Role)
class RoleAdmin(ReadOnlyAdmin):
    list_display = ["name", "org", "grants_all"]
    list_filter = ["org"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "org", "role", "status"]
    list_filter = ["org", "status"]
    search_fields = ["user__email"]


@admin.register(StaffInvitation)
class StaffInvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "org", "role", "status", "expires_at"]
    list_filter = ["org", "status"]
    exclude = ["token_digest"]
