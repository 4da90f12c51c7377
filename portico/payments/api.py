"""/api/v1/ routes of the payments app."""

from __future__ import annotations

from portico.orgs.api_shared import api_router

router = api_router(tags=["payments"])
