from django.urls import path

from portico.clients import views

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("mine/", views.my_clients, name="my_clients"),
    path("new/", views.client_create, name="client_create"),
    path("deleted/", views.deleted_clients, name="deleted_clients"),
    path("<int:client_id>/", views.client_detail, name="client_detail"),
    path("<int:client_id>/edit/", views.client_edit, name="client_edit"),
    path("<int:client_id>/status/", views.client_status, name="client_status"),
    path("<int:client_id>/profile/", views.client_profile_create, name="client_profile_create"),
    path("<int:client_id>/type/", views.client_set_type, name="client_set_type"),
    path("<int:client_id>/warnings/", views.client_set_warnings, name="client_set_warnings"),
    path("<int:client_id>/case-number/", views.client_case_number, name="client_case_number"),
    path("<int:client_id>/groups/", views.client_groups, name="client_groups"),
    path("<int:client_id>/navigators/", views.client_navigator_assign, name="client_navigator_assign"),
    path(
        "<int:client_id>/navigators/<int:user_id>/remove/",
        views.client_navigator_unassign,
        name="client_navigator_unassign",
    ),
    path("<int:client_id>/image/", views.client_image, name="client_image"),
    path("<int:client_id>/image/<str:size>/", views.client_image_file, name="client_image_file"),
    path("<int:client_id>/delete/", views.client_delete, name="client_delete"),
    path("<int:client_id>/restore/", views.client_restore, name="client_restore"),
]
