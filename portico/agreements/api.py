"""/api/v1/ routes of the agreements app."""

from __future__ import annotations

from portico.orgs.api_shared import api_router

router = api_router(tags=["agreements"])
