"""Agreements: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the rest (``urlpatterns``)."""

from django.urls import URLPattern, path  # noqa: F401

org_urlpatterns: list[URLPattern] = []
urlpatterns: list[URLPattern] = []
