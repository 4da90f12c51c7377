"""SAT 69-B: Settings → SAT 69-B under /o/<org_slug>/ (``org_urlpatterns``); nothing at the root."""

from django.urls import URLPattern, path

from portico.sat69b import views

org_urlpatterns: list[URLPattern] = [
    path("settings/sat69b/", views.sat69b_status, name="sat69b_status"),
    path("settings/sat69b/upload/", views.sat69b_upload, name="sat69b_upload"),
]
urlpatterns: list[URLPattern] = []
