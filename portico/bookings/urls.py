"""Bookings: staff pages under /o/<org_slug>/ (``org_urlpatterns``) and the public widget and
booker's link (``urlpatterns``)."""

from django.urls import path

from portico.bookings import views, views_public

org_urlpatterns = [
    path("settings/booking/", views.booking_settings, name="booking_settings"),
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/availability/", views.my_availability, name="my_availability"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="booking_cancel"),
]
urlpatterns = [
    path("w/<slug:org_slug>/book/", views_public.booking_widget, name="booking_widget"),
    path("w/<slug:org_slug>/booking/<str:token>/", views_public.booking_manage, name="booking_manage"),
]
