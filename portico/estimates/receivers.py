"""The estimates app's part in events of the apps below it."""

from __future__ import annotations

from typing import Any

from portico.estimates.actions import estimates_move_to_client
from portico.leads.signals import lead_converted


def move_lead_estimates(sender: Any, lead: Any, client: Any, actor: Any, **kwargs: Any) -> None:
    estimates_move_to_client(lead=lead, client=client, actor=actor)


def connect() -> None:
    lead_converted.connect(move_lead_estimates, dispatch_uid="estimates_move_lead_estimates")
