"""Client records under /o/<org_slug>/ (the record page itself is portico.web's)."""

from django.urls import path

from portico.clients import views

org_urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/mine/", views.my_clients, name="my_clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/deleted/", views.deleted_clients, name="deleted_clients"),
    path("clients/<int:client_id>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/status/", views.client_status, name="client_status"),
    path("clients/<int:client_id>/profile/", views.client_profile_create, name="client_profile_create"),
    path("clients/<int:client_id>/type/", views.client_set_type, name="client_set_type"),
    path("clients/<int:client_id>/warnings/", views.client_set_warnings, name="client_set_warnings"),
    path("clients/<int:client_id>/case-number/", views.client_case_number, name="client_case_number"),
    path("clients/<int:client_id>/groups/", views.client_groups, name="client_groups"),
    path("clients/<int:client_id>/navigators/", views.client_navigator_assign, name="client_navigator_assign"),
    path(
        "clients/<int:client_id>/navigators/<int:user_id>/remove/",
        views.client_navigator_unassign,
        name="client_navigator_unassign",
    ),
    path("clients/<int:client_id>/image/", views.client_image, name="client_image"),
    path("clients/<int:client_id>/image/<str:size>/", views.client_image_file, name="client_image_file"),
    path("clients/<int:client_id>/delete/", views.client_delete, name="client_delete"),
    path("clients/<int:client_id>/restore/", views.client_restore, name="client_restore"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/bulk/", views.group_bulk, name="group_bulk"),
    path("groups/<int:group_id>/delete/", views.group_delete, name="group_delete"),
    path("reports/", views.reports, name="reports"),
    path("settings/clients/", views.client_setup, name="client_setup"),
]
