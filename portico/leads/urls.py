"""Leads: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the public pages under
/w/<org_slug>/ (``urlpatterns``: no sign-in, embeddable in any website)."""

from django.urls import path

from portico.leads import views, views_public

org_urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/my-referral-link/", views.my_referral_link, name="my_referral_link"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/contacted/", views.lead_mark_contacted, name="lead_mark_contacted"),
    path("leads/<int:lead_id>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:lead_id>/requalify/", views.lead_requalify, name="lead_requalify"),
    path("leads/<int:lead_id>/convert/", views.lead_convert, name="lead_convert"),
    path("leads/<int:lead_id>/attach/", views.lead_attach, name="lead_attach"),
    path("leads/<int:lead_id>/resend/", views.lead_resend, name="lead_resend"),
    path("clients/<int:client_id>/referral-link/", views.client_referral_link, name="client_referral_link"),
    path("settings/leads/", views.lead_settings, name="lead_settings"),
]
urlpatterns = [
    path("w/<slug:org_slug>/", views_public.lead_contact_form, name="lead_contact_form"),
    path("w/<slug:org_slug>/r/<str:code>/", views_public.referral_landing, name="referral_landing"),
    path("w/<slug:org_slug>/embed.js", views_public.lead_embed_js, name="lead_embed_js"),
]
