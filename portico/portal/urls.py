"""The portal's URLs: the client's pages under /portal/ (``urlpatterns``) and the staff pages
under /o/<org_slug>/ (``org_urlpatterns``)."""

from django.urls import path

from portico.portal import views

urlpatterns = [
    path("portal/account/", views.portal_account, name="portal_account"),
    path("portal/<slug:org_slug>/logo/", views.portal_logo, name="portal_logo"),
]
org_urlpatterns = [
    path("settings/portal/", views.portal_setup, name="portal_setup"),
    path("clients/<int:client_id>/portal-status/", views.client_portal_status, name="client_portal_status"),
]
