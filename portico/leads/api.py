"""/api/v1/: leads as JSON."""

from __future__ import annotations

from portico.orgs.api_shared import api_router

router = api_router(tags=["leads"])
