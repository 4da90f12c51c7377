"""Agreements: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the rest (``urlpatterns``)."""

from django.urls import URLPattern, path

from portico.agreements import views_portal, views_verify

org_urlpatterns: list[URLPattern] = []
urlpatterns: list[URLPattern] = []

# --- signing (the client's portal pages, the consent page, the public verification page) ---
_P = "portal/<slug:org_slug>/agreements/<int:agreement_id>/"
urlpatterns += [
    path(_P, views_portal.portal_agreement_detail, name="portal_agreement_detail"),
    path(_P + "pdf/", views_portal.portal_agreement_pdf, name="portal_agreement_pdf"),
    path(_P + "sign/", views_portal.portal_agreement_sign, name="portal_agreement_sign"),
    path(_P + "signed.pdf", views_portal.portal_agreement_signed_pdf, name="portal_agreement_signed_pdf"),
    path("portal/<slug:org_slug>/consent/", views_portal.portal_consent, name="portal_consent"),
    path("portal/<slug:org_slug>/consent/pdf/", views_portal.portal_consent_pdf, name="portal_consent_pdf"),
    path("agreements/verify/", views_verify.agreement_verify, name="agreement_verify"),
]
