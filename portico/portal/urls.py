"""The client's portal (phone first)."""

from django.urls import path

from portico.portal import views

urlpatterns = [
    path("", views.portal_home, name="portal_home"),
    path("account/", views.portal_account, name="portal_account"),
    path("<slug:org_slug>/", views.portal_org_home, name="portal_org_home"),
    path("<slug:org_slug>/logo/", views.portal_logo, name="portal_logo"),
]
