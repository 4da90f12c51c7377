"""The requests app's part in events of the apps below it."""

from __future__ import annotations

from typing import Any

from portico.orgs.signals import organization_created
from portico.requests.actions import request_kinds_create_defaults


def provision_organization(sender: Any, org: Any, actor: Any, **kwargs: Any) -> None:
    request_kinds_create_defaults(org=org, actor=actor)


def connect() -> None:
    organization_created.connect(provision_organization, dispatch_uid="requests_provision_organization")
