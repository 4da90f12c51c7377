"""FreshBooks: Settings → FreshBooks and "Connect to FreshBooks" on a customer under /o/<org_slug>/
(``org_urlpatterns``); FreshBooks' OAuth redirect at the root (``urlpatterns``): one address to
register in the FreshBooks app for every organization."""

from django.urls import path

from portico.freshbooks import views

org_urlpatterns = [
    path("settings/freshbooks/", views.freshbooks_settings, name="freshbooks_settings"),
    path("settings/freshbooks/connect/", views.freshbooks_connect, name="freshbooks_connect"),
    path("settings/freshbooks/disconnect/", views.freshbooks_disconnect, name="freshbooks_disconnect"),
    path(
        "customers/<int:customer_id>/freshbooks/",
        views.customer_freshbooks_connect,
        name="customer_freshbooks_connect",
    ),
]
urlpatterns = [
    path("freshbooks/callback/", views.freshbooks_callback, name="freshbooks_callback"),
]
