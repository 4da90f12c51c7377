"""The outbox reports what happened to a message; invitations keep their delivery trail."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from portico.outbox.signals import message_delivery


@receiver(message_delivery, dispatch_uid="invitations_delivery")
def invitation_delivery(sender: Any, message: Any, kind: str, at: Any, detail: str = "", **kwargs: Any) -> None:
    from portico.invitations.actions import invitation_delivery_record

    invitation_delivery_record(message=message, kind=kind, at=at, detail=detail)
