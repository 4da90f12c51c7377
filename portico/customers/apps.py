from collections.abc import Callable

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "portico.customers"
    label = "customers"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.customers import actions, receivers

        receivers.connect()  # a new SAT 69-B list re-screens every customer
        # Daily: the sales owner is told once before a compliance document expires.
        self.sweeps = [*self.sweeps, ("compliance documents expiring", lambda: actions.documents_remind_due())]
