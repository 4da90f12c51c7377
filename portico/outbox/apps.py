from collections.abc import Callable

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "portico.outbox"
    label = "outbox"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.outbox import actions, receivers

        receivers.connect()  # email delivery reports from anymail webhooks
        self.sweeps = [("due messages handed to the worker", lambda: actions.outbox_sweep())]
