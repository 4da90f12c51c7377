"""The JSON API (django-ninja) at /api/v1/: it only mounts each app's router (the routes, schemas
and docs live in ``portico/<app>/api.py``) and installs the one error shape
(``portico.orgs.api_shared``). OpenAPI at /api/v1/docs; docs/api/openapi.json is its snapshot."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import SessionAuth

from portico.agreements.api import router as agreements_router
from portico.bookings.api import router as bookings_router
from portico.clients.api import router as clients_router
from portico.customers.api import router as customers_router
from portico.estimates.api import router as estimates_router
from portico.freshbooks.api import router as freshbooks_router
from portico.invitations.api import router as invitations_router
from portico.journey.api import router as journey_router
from portico.leads.api import router as leads_router
from portico.metrics.api import router as metrics_router
from portico.notifications.api import router as notifications_router
from portico.orgs.api import router as orgs_router
from portico.orgs.api_shared import error_handlers_install
from portico.payments.api import router as payments_router
from portico.requests.api import router as requests_router
from portico.work.api import router as work_router

api = NinjaAPI(title="Portico API", version="1", urls_namespace="api", auth=SessionAuth(csrf=True))
error_handlers_install(api)
api.add_router("", orgs_router)
api.add_router("/clients", clients_router)
api.add_router("", invitations_router)
api.add_router("", requests_router)
api.add_router("", notifications_router)
api.add_router("", leads_router)
api.add_router("", bookings_router)
api.add_router("", estimates_router)
api.add_router("", agreements_router)
api.add_router("", payments_router)
api.add_router("", work_router)
api.add_router("", customers_router)
api.add_router("", journey_router)
api.add_router("", metrics_router)
api.add_router("", freshbooks_router)
