"""The invitations app's part in events of the apps below it: the outbox reports what happened
to a message (the delivery trail), and a client record changed its address or is leaving."""

from __future__ import annotations

from typing import Any

from portico.clients.signals import client_contact_changed, client_leaving
from portico.invitations.actions import invitation_delivery_record, invitations_revoke_open
from portico.outbox.signals import message_delivery


def on_message_delivery(sender: Any, message: Any, kind: str, at: Any, detail: str = "", **kwargs: Any) -> None:
    invitation_delivery_record(message=message, kind=kind, at=at, detail=detail)


def on_client_contact_changed(sender: Any, client: Any, actor: Any, channels: list[str], **kwargs: Any) -> None:
    # The old address would become the username: invitations sent there are void.
    for channel in channels:
        invitations_revoke_open(client=client, actor=actor, reason=f"{channel}_changed", channel=channel)


def on_client_leaving(sender: Any, client: Any, actor: Any, reason: str, **kwargs: Any) -> None:
    invitations_revoke_open(client=client, actor=actor, reason=reason)


def connect() -> None:
    message_delivery.connect(on_message_delivery, dispatch_uid="invitations_delivery")
    client_contact_changed.connect(on_client_contact_changed, dispatch_uid="invitations_contact_changed")
    client_leaving.connect(on_client_leaving, dispatch_uid="invitations_client_leaving")
