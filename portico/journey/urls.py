"""Journey: staff pages under /o/<org_slug>/ (``org_urlpatterns``); the portal's checklist is part
of the portal home (web)."""

from django.urls import URLPattern, path

from portico.journey import views

org_urlpatterns: list[URLPattern] = [
    path("onboarding/", views.journey_board, name="journey_board"),
    path("onboarding/column/", views.journey_column, name="journey_column"),
    path("onboarding/<int:journey_id>/remind/", views.journey_remind, name="journey_remind"),
    path("onboarding/funnel/", views.funnel_report, name="funnel_report"),
    path("settings/onboarding/", views.journey_settings, name="journey_settings"),
]
urlpatterns: list[URLPattern] = []
