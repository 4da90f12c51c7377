"""Leads: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and public or portal pages (``urlpatterns``)."""

from django.urls import URLPattern

org_urlpatterns: list[URLPattern] = []
urlpatterns: list[URLPattern] = []
