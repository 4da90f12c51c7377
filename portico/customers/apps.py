from collections.abc import Callable

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "portico.customers"
    label = "customers"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.customers import actions

        # Daily: the sales owner is told once before a compliance document expires.
        self.sweeps = [*self.sweeps, ("compliance documents expiring", lambda: actions.documents_remind_due())]
