"""Agreements: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the rest (``urlpatterns``)."""

from django.urls import URLPattern, path

from portico.agreements import views, views_portal, views_verify

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
# The client's portal pages (read, consent, sign), and the public verification page.
_P = "portal/<slug:org_slug>/agreements/<int:agreement_id>/"
urlpatterns: list[URLPattern] = [
    path(_P, views_portal.portal_agreement_detail, name="portal_agreement_detail"),
    path(_P + "pdf/", views_portal.portal_agreement_pdf, name="portal_agreement_pdf"),
    path(_P + "sign/", views_portal.portal_agreement_sign, name="portal_agreement_sign"),
    path(_P + "signed.pdf", views_portal.portal_agreement_signed_pdf, name="portal_agreement_signed_pdf"),
    path("portal/<slug:org_slug>/consent/", views_portal.portal_consent, name="portal_consent"),
    path("portal/<slug:org_slug>/consent/pdf/", views_portal.portal_consent_pdf, name="portal_consent_pdf"),
    path("agreements/verify/", views_verify.agreement_verify, name="agreement_verify"),
]
