"""The customers catalog: staff pages under /o/<org_slug>/customers/ (``org_urlpatterns``); nothing
at the root. The names are the contract's (notes/url_contract.md)."""

from django.urls import URLPattern, path

from portico.customers import views

org_urlpatterns: list[URLPattern] = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/export.csv", views.customer_export, name="customer_export"),
    path("customers/new/", views.customer_new, name="customer_new"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/deactivate/", views.customer_deactivate, name="customer_deactivate"),
    path("customers/<int:customer_id>/activate/", views.customer_activate, name="customer_activate"),
    path("customers/<int:customer_id>/addresses/", views.customer_address_add, name="customer_address_add"),
    path(
        "customers/<int:customer_id>/addresses/<int:address_id>/",
        views.customer_address_edit,
        name="customer_address_edit",
    ),
    path(
        "customers/<int:customer_id>/addresses/<int:address_id>/remove/",
        views.customer_address_remove,
        name="customer_address_remove",
    ),
    path("customers/<int:customer_id>/contacts/", views.customer_contact_add, name="customer_contact_add"),
    path(
        "customers/<int:customer_id>/contacts/<int:link_id>/remove/",
        views.customer_contact_remove,
        name="customer_contact_remove",
    ),
    path("customers/<int:customer_id>/documents/", views.customer_document_add, name="customer_document_add"),
    path(
        "customers/<int:customer_id>/documents/<int:document_id>/",
        views.customer_document_download,
        name="customer_document_download",
    ),
    path(
        "customers/<int:customer_id>/documents/<int:document_id>/remove/",
        views.customer_document_remove,
        name="customer_document_remove",
    ),
]
urlpatterns: list[URLPattern] = []
