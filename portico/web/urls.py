"""The root URL conf: every app's own ``urls.py``, mounted. Organization pages live under
/o/<org_slug>/ (each app's ``org_urlpatterns``, wrapped by orgs.context.org_view); the rest
(``urlpatterns``) at the root, each with its own prefix."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from portico.accounts import urls as accounts_urls
from portico.agreements import urls as agreements_urls
from portico.bookings import urls as bookings_urls
from portico.clients import urls as clients_urls
from portico.customers import screening_urls as customer_screening_urls
from portico.customers import urls as customers_urls
from portico.estimates import urls as estimates_urls
from portico.freshbooks import urls as freshbooks_urls
from portico.invitations import urls as invitations_urls
from portico.jobs import urls as jobs_urls
from portico.journey import urls as journey_urls
from portico.leads import urls as leads_urls
from portico.metrics import urls as metrics_urls
from portico.notifications import urls as notifications_urls
from portico.orgs import urls as orgs_urls
from portico.outbox import urls as outbox_urls
from portico.payments import urls as payments_urls
from portico.portal import urls as portal_urls
from portico.requests import urls as requests_urls
from portico.sat69b import urls as sat69b_urls
from portico.web import views
from portico.web.api import api
from portico.work import urls as work_urls

org_patterns: list[URLPattern | URLResolver] = [
    path("", views.start, name="org_dashboard"),
    path("search/", views.search, name="search"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    *clients_urls.org_urlpatterns,
    *invitations_urls.org_urlpatterns,
    *portal_urls.org_urlpatterns,
    *requests_urls.org_urlpatterns,
    *leads_urls.org_urlpatterns,
    *bookings_urls.org_urlpatterns,
    *estimates_urls.org_urlpatterns,
    *agreements_urls.org_urlpatterns,
    *payments_urls.org_urlpatterns,
    *work_urls.org_urlpatterns,
    *customers_urls.org_urlpatterns,
    *journey_urls.org_urlpatterns,
    *sat69b_urls.org_urlpatterns,
    *customer_screening_urls.org_urlpatterns,
    *notifications_urls.org_urlpatterns,
    *metrics_urls.org_urlpatterns,
    *jobs_urls.org_urlpatterns,
    *orgs_urls.org_urlpatterns,
    *freshbooks_urls.org_urlpatterns,
]

# The admin signs in through allauth (MFA, rate limits, pre_login), never its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    # The portal's own pages first: "portal/account/" is not an organization's short name.
    path("portal/", views.portal_home, name="portal_home"),
    *portal_urls.urlpatterns,
    *requests_urls.urlpatterns,
    *estimates_urls.urlpatterns,
    *agreements_urls.urlpatterns,
    *payments_urls.urlpatterns,
    *work_urls.urlpatterns,
    *journey_urls.urlpatterns,
    path("portal/<slug:org_slug>/continue/", views.portal_continue, name="portal_continue"),
    path("portal/<slug:org_slug>/", views.portal_org_home, name="portal_org_home"),
    *invitations_urls.urlpatterns,
    *orgs_urls.urlpatterns,
    *accounts_urls.urlpatterns,
    *notifications_urls.urlpatterns,
    *outbox_urls.urlpatterns,
    *leads_urls.urlpatterns,
    *bookings_urls.urlpatterns,
    *freshbooks_urls.urlpatterns,
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
# Uploaded files are never served from a public /media/ path: each goes through a view that
# checks access first (core.files.private_file_response).
