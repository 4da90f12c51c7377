"""Agreements: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the rest (``urlpatterns``)."""

from django.urls import URLPattern, path

from portico.agreements import views

_T = "agreements/templates/<int:agreement_template_id>/"
_A = "agreements/<int:agreement_id>/"
org_urlpatterns: list[URLPattern] = [
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path(_A, views.agreement_detail, name="agreement_detail"),
    path(_A + "edit/", views.agreement_edit, name="agreement_edit"),
    path(_A + "send/", views.agreement_send, name="agreement_send"),
    path(_A + "void/", views.agreement_void, name="agreement_void"),
    path(_A + "document.pdf", views.agreement_document, name="agreement_document"),
    path(_A + "signed.pdf", views.agreement_signed_document, name="agreement_signed_document"),
    path("agreements/templates/", views.agreement_template_list, name="agreement_template_list"),
    path("agreements/templates/new/", views.agreement_template_new, name="agreement_template_new"),
    path(_T, views.agreement_template_edit, name="agreement_template_edit"),
    path(_T + "archive/", views.agreement_template_archive, name="agreement_template_archive"),
    path(_T + "preview/", views.agreement_template_preview, name="agreement_template_preview"),
    path(_T + "preview.pdf", views.agreement_template_preview_pdf, name="agreement_template_preview_pdf"),
]
# The client's and the public pages (the signing helper's views_portal.py / views_verify.py) are
# appended here: portal_agreement_detail (portal/<slug:org_slug>/agreements/<int:agreement_id>/),
# portal_consent (portal/<slug:org_slug>/consent/), agreement_verify (agreements/verify/), ...
urlpatterns: list[URLPattern] = []
