"""The organization's administration under /o/<org_slug>/ (``org_urlpatterns``), and the staff
invitation link and support pages at the root (``urlpatterns``)."""

from django.urls import path

from portico.orgs import views, views_admin, views_api_keys

org_urlpatterns = [
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:role_id>/", views.role_edit, name="role_edit"),
    path("roles/<int:role_id>/delete/", views.role_delete, name="role_delete"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:membership_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:membership_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:membership_id>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/invitations/<int:invitation_id>/resend/", views.staff_invitation_resend, name="staff_invitation_resend"
    ),
    path(
        "staff/invitations/<int:invitation_id>/revoke/", views.staff_invitation_revoke, name="staff_invitation_revoke"
    ),
    path("settings/", views.org_settings, name="org_settings"),
    path("api-keys/", views_api_keys.api_key_list, name="api_key_list"),
    path("api-keys/new/", views_api_keys.api_key_create, name="api_key_create"),
    path("api-keys/<int:api_key_id>/revoke/", views_api_keys.api_key_revoke, name="api_key_revoke"),
    path("audit/", views_admin.audit_log_view, name="audit_log"),
    path("messages/", views_admin.message_list, name="message_list"),
    path("messages/<int:message_id>/", views_admin.message_detail, name="message_detail"),
    path("messages/<int:message_id>/retry/", views_admin.message_retry, name="message_retry"),
]
urlpatterns = [
    path("join/<str:token>/", views.staff_invitation, name="staff_invitation"),
    path("support/", views.support_org_list, name="support_org_list"),
    path("support/organizations/new/", views.support_org_create, name="support_org_create"),
]
