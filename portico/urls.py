from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from portico.accounts import views as account_views
from portico.api import api
from portico.audit import views as audit_views
from portico.clients import views as client_views
from portico.core import views as core_views
from portico.invitations import views as invitation_views
from portico.invitations import views_bulk as invitation_bulk_views
from portico.notifications import views as notification_views
from portico.notifications import views_pwa as pwa_views
from portico.notifications import views_settings as notification_settings_views
from portico.orgs import views as org_views
from portico.outbox import views as outbox_views
from portico.outbox import webhooks as outbox_webhooks
from portico.portal import views_setup as portal_setup_views
from portico.requests import views as request_views

# Every page of one organization lives under /o/<org_slug>/ and is wrapped by org_view.
org_patterns: list[URLPattern | URLResolver] = [
    path("", org_views.dashboard, name="org_dashboard"),
    path("search/", core_views.search, name="search"),
    path("clients/", include("portico.clients.urls")),
    path("groups/", client_views.group_list, name="group_list"),
    path("groups/<int:group_id>/", client_views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/bulk/", client_views.group_bulk, name="group_bulk"),
    path("groups/jobs/<int:job_id>/", client_views.group_job, name="group_job"),
    path("reports/", client_views.reports, name="reports"),
    path("invitations/bulk/", invitation_bulk_views.invitation_bulk, name="invitation_bulk"),
    path("invitations/bulk/<int:bulk_id>/", invitation_bulk_views.invitation_bulk_job, name="invitation_bulk_job"),
    path("roles/", org_views.role_list, name="role_list"),
    path("roles/new/", org_views.role_create, name="role_create"),
    path("roles/<int:role_id>/", org_views.role_edit, name="role_edit"),
    path("roles/<int:role_id>/delete/", org_views.role_delete, name="role_delete"),
    path("staff/", org_views.staff_list, name="staff_list"),
    path("staff/invite/", org_views.staff_invite, name="staff_invite"),
    path("staff/<int:membership_id>/", org_views.staff_detail, name="staff_detail"),
    path("staff/<int:membership_id>/deactivate/", org_views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:membership_id>/reactivate/", org_views.staff_reactivate, name="staff_reactivate"),
    path(
        "staff/invitations/<int:invitation_id>/resend/",
        org_views.staff_invitation_resend,
        name="staff_invitation_resend",
    ),
    path(
        "staff/invitations/<int:invitation_id>/revoke/",
        org_views.staff_invitation_revoke,
        name="staff_invitation_revoke",
    ),
    path("settings/", org_views.org_settings, name="org_settings"),
    path("settings/clients/", client_views.client_setup, name="client_setup"),
    path("settings/portal/", portal_setup_views.portal_setup, name="portal_setup"),
    path("settings/requests/", request_views.request_kind_settings, name="request_kind_settings"),
    path("requests/", request_views.request_inbox, name="request_inbox"),
    path("requests/<int:request_id>/", request_views.request_detail, name="request_detail"),
    path("requests/<int:request_id>/status/", request_views.request_status, name="request_status"),
    path("requests/<int:request_id>/take/", request_views.request_take, name="request_take"),
    path(
        "requests/<int:request_id>/attachments/<int:attachment_id>/",
        request_views.request_attachment,
        name="request_attachment",
    ),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/bell/", notification_views.notification_bell, name="notification_bell"),
    path("notifications/read/", notification_views.notification_read, name="notification_read"),
    path("notifications/<int:notification_id>/", notification_views.notification_open, name="notification_open"),
    path("invitations/", invitation_views.invitation_list, name="invitation_list"),
    path("clients/<int:client_id>/invite/", invitation_views.client_invite, name="client_invite"),
    path("clients/<int:client_id>/portal-status/", invitation_views.client_portal_status, name="client_portal_status"),
    path(
        "invitations/<int:client_invitation_id>/resend/", invitation_views.invitation_resend, name="invitation_resend"
    ),
    path(
        "invitations/<int:client_invitation_id>/revoke/", invitation_views.invitation_revoke, name="invitation_revoke"
    ),
    path("api-keys/", include("portico.orgs.urls_api_keys")),
    path("audit/", audit_views.audit_log_view, name="audit_log"),
    path("messages/", outbox_views.message_list, name="message_list"),
    path("messages/<int:message_id>/", outbox_views.message_detail, name="message_detail"),
    path("messages/<int:message_id>/retry/", outbox_views.message_retry, name="message_retry"),
    path(
        "notifications/settings/",
        notification_settings_views.notification_settings,
        name="notification_settings",
    ),
    path("notifications/push/subscribe/", notification_settings_views.push_subscribe, name="push_subscribe"),
    path("notifications/test/", notification_settings_views.notification_test, name="notification_test"),
]

# The admin signs in through allauth (MFA, rate limits, pre_login), never its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("manifest.webmanifest", pwa_views.manifest, name="pwa_manifest"),
    path("sw.js", pwa_views.service_worker, name="service_worker"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("join/<str:token>/", org_views.staff_invitation, name="staff_invitation"),
    path("invite/", include("portico.invitations.urls")),
    path("portal/", include("portico.portal.urls")),
    path("me/", account_views.profile, name="profile"),
    path("support/", org_views.support_org_list, name="support_org_list"),
    path("support/organizations/new/", org_views.support_org_create, name="support_org_create"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    # Provider delivery reports (verified by signature; see docs/architecture.md, Outgoing messages).
    path("webhooks/twilio/status/", outbox_webhooks.twilio_status, name="twilio_status"),
    path("anymail/", include("anymail.urls")),  # ESP tracking webhooks: /anymail/<esp>/tracking/
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from a public /media/ path: each goes through an
# organization-scoped view (e.g. clients.views.client_image_file) that checks access.
