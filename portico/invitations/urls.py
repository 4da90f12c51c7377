"""Public invitation link pages (no sign-in needed: the link is the credential)."""

from django.urls import path

from portico.invitations import views_public as views

urlpatterns = [
    path("<str:token>/", views.invitation_open, name="invitation_open"),
    path("<str:token>/opened/", views.invitation_opened, name="invitation_opened"),
    path("<str:token>/new-link/", views.invitation_new_link, name="invitation_new_link"),
]
