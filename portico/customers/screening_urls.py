"""The SAT 69-B screening policy page (Settings), under /o/<org_slug>/: mounted beside the
customers app's own ``urls.py``."""

from django.urls import URLPattern, path

from portico.customers import screening_views

org_urlpatterns: list[URLPattern] = [
    path(
        "customers/settings/screening/",
        screening_views.customer_screening_settings,
        name="customer_screening_settings",
    ),
]
