"""Notifications: the bell, the list and the settings under /o/<org_slug>/ (``org_urlpatterns``);
the installable app's manifest and service worker at the root (``urlpatterns``)."""

from django.urls import path

from portico.notifications import views, views_pwa, views_settings

org_urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/bell/", views.notification_bell, name="notification_bell"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("notifications/settings/", views_settings.notification_settings, name="notification_settings"),
    path("notifications/push/subscribe/", views_settings.push_subscribe, name="push_subscribe"),
    path("notifications/test/", views_settings.notification_test, name="notification_test"),
]
urlpatterns = [
    path("manifest.webmanifest", views_pwa.manifest, name="pwa_manifest"),
    path("sw.js", views_pwa.service_worker, name="service_worker"),
]
