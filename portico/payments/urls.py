"""Payments: Settings → Stripe under /o/<org_slug>/ (``org_urlpatterns``); the client's payment
method in the portal and Stripe's webhook (``urlpatterns``)."""

from django.urls import path

from portico.payments import views, views_portal, webhooks

org_urlpatterns = [
    path("settings/stripe/", views.stripe_settings, name="stripe_settings"),
    path("settings/stripe/disconnect/", views.stripe_disconnect, name="stripe_disconnect"),
]
_P = "portal/<slug:org_slug>/payment-method/"
urlpatterns = [
    path(_P, views_portal.portal_payment_method, name="portal_payment_method"),
    path(_P + "add/", views_portal.portal_payment_method_add, name="portal_payment_method_add"),
    path(_P + "return/", views_portal.portal_payment_method_return, name="portal_payment_method_return"),
    path(
        _P + "<int:payment_method_id>/remove/",
        views_portal.portal_payment_method_remove,
        name="portal_payment_method_remove",
    ),
    path("stripe/webhook/<slug:org_slug>/", webhooks.stripe_webhook, name="stripe_webhook"),
]
