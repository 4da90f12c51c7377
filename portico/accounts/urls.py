from django.urls import include, path

from portico.accounts import views

urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
]
