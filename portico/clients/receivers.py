"""The clients app's part in events of the apps below it."""

from __future__ import annotations

from typing import Any

from portico.clients.actions import client_types_create_defaults
from portico.orgs.signals import organization_created


def provision_organization(sender: Any, org: Any, actor: Any, **kwargs: Any) -> None:
    client_types_create_defaults(org=org, actor=actor)


def connect() -> None:
    organization_created.connect(provision_organization, dispatch_uid="clients_provision_organization")
