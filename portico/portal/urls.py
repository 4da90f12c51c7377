"""The client's portal (phone first)."""

from django.urls import path

from portico.portal import views, views_requests

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("account/", views.portal_account, name="portal_account"),
    path("<slug:org_slug>/", views.portal_org_home, name="portal_org_home"),
    path("<slug:org_slug>/logo/", views.portal_logo, name="portal_logo"),
    path("<slug:org_slug>/requests/", views_requests.portal_request_list, name="portal_request_list"),
    path("<slug:org_slug>/requests/new/", views_requests.portal_request_new, name="portal_request_new"),
    path(
        "<slug:org_slug>/requests/<int:request_id>/",
        views_requests.portal_request_detail,
        name="portal_request_detail",
    ),
    path(
        "<slug:org_slug>/requests/<int:request_id>/attachments/<int:attachment_id>/",
        views_requests.portal_request_attachment,
        name="portal_request_attachment",
    ),
]
