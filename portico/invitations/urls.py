"""Invitations: the public link pages (no sign-in: the link is the credential; ``urlpatterns``)
and the staff pages under /o/<org_slug>/ (``org_urlpatterns``)."""

from django.urls import path

from portico.invitations import views, views_bulk, views_public

urlpatterns = [
    path("invite/<str:token>/", views_public.invitation_open, name="invitation_open"),
    path("invite/<str:token>/opened/", views_public.invitation_opened, name="invitation_opened"),
    path("invite/<str:token>/new-link/", views_public.invitation_new_link, name="invitation_new_link"),
]
org_urlpatterns = [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/bulk/", views_bulk.invitation_bulk, name="invitation_bulk"),
    path("invitations/preview/", views.invitation_preview, name="invitation_preview"),
    path("invitations/<int:client_invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:client_invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("clients/<int:client_id>/invite/", views.client_invite, name="client_invite"),
]
