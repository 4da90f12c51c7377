from collections.abc import Callable

from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "portico.estimates"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.estimates import actions, receivers

        receivers.connect()
        self.sweeps = [("expired estimates recorded", lambda: actions.estimates_expire_due())]
