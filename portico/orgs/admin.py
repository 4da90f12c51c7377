"""Django admin (operators only, read-only): organizations, roles, memberships, staff invitations."""

from django.contrib import admin

from portico.core.admin import ReadOnlyAdmin
from portico.orgs.models import Membership, Organization, Role, StaffInvitation


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
