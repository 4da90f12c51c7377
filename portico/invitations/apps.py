from collections.abc import Callable

from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "portico.invitations"
    label = "invitations"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.invitations import actions, bulk, receivers

        receivers.connect()
        bulk.register()
        self.sweeps = [("expired invitations recorded", lambda: actions.invitations_expire_due())]
