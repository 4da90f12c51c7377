"""Estimates: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the client's pages in the
portal (``urlpatterns``)."""

from django.urls import path

from portico.estimates import views, views_portal

org_urlpatterns = [
    path("estimates/", views.estimate_list, name="estimate_list"),
    path("estimates/new/", views.estimate_new, name="estimate_new"),
    path("estimates/<int:estimate_id>/", views.estimate_detail, name="estimate_detail"),
    path("estimates/<int:estimate_id>/edit/", views.estimate_edit, name="estimate_edit"),
    path("estimates/<int:estimate_id>/send/", views.estimate_send, name="estimate_send"),
    path("estimates/<int:estimate_id>/revise/", views.estimate_revise, name="estimate_revise"),
    path("estimates/<int:estimate_id>/pdf/", views.estimate_pdf_download, name="estimate_pdf"),
    path(
        "estimates/<int:estimate_id>/attachments/<int:attachment_id>/",
        views.estimate_attachment,
        name="estimate_attachment",
    ),
]
_P = "portal/<slug:org_slug>/estimates/"
urlpatterns = [
    path(_P, views_portal.portal_estimate_list, name="portal_estimate_list"),
    path(_P + "<int:estimate_id>/", views_portal.portal_estimate_detail, name="portal_estimate_detail"),
    path(_P + "<int:estimate_id>/approve/", views_portal.portal_estimate_approve, name="portal_estimate_approve"),
    path(_P + "<int:estimate_id>/decline/", views_portal.portal_estimate_decline, name="portal_estimate_decline"),
    path(_P + "<int:estimate_id>/question/", views_portal.portal_estimate_question, name="portal_estimate_question"),
    path(_P + "<int:estimate_id>/pdf/", views_portal.portal_estimate_pdf, name="portal_estimate_pdf"),
    path(
        _P + "<int:estimate_id>/attachments/<int:attachment_id>/",
        views_portal.portal_estimate_attachment,
        name="portal_estimate_attachment",
    ),
]
