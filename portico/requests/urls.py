"""Requests: the staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the client's pages in
the portal (``urlpatterns``)."""

from django.urls import path

from portico.requests import views, views_portal

org_urlpatterns = [
    path("requests/", views.request_inbox, name="request_inbox"),
    path("requests/<int:client_request_id>/", views.request_detail, name="request_detail"),
    path("requests/<int:client_request_id>/status/", views.request_status, name="request_status"),
    path("requests/<int:client_request_id>/take/", views.request_take, name="request_take"),
    path(
        "requests/<int:client_request_id>/attachments/<int:attachment_id>/",
        views.request_attachment,
        name="request_attachment",
    ),
    path("settings/requests/", views.request_kind_settings, name="request_kind_settings"),
]
urlpatterns = [
    path("portal/<slug:org_slug>/requests/", views_portal.portal_request_list, name="portal_request_list"),
    path("portal/<slug:org_slug>/requests/new/", views_portal.portal_request_new, name="portal_request_new"),
    path(
        "portal/<slug:org_slug>/requests/<int:client_request_id>/",
        views_portal.portal_request_detail,
        name="portal_request_detail",
    ),
    path(
        "portal/<slug:org_slug>/requests/<int:client_request_id>/attachments/<int:attachment_id>/",
        views_portal.portal_request_attachment,
        name="portal_request_attachment",
    ),
]
