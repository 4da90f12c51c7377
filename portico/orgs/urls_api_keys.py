"""/o/<org_slug>/api-keys/…: the organization's keys for the JSON API."""

from django.urls import path

from portico.orgs import views_api_keys

urlpatterns = [
    path("", views_api_keys.api_key_list, name="api_key_list"),
    path("new/", views_api_keys.api_key_create, name="api_key_create"),
    path("<int:api_key_id>/revoke/", views_api_keys.api_key_revoke, name="api_key_revoke"),
]
