from collections.abc import Callable

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "portico.customers"
    label = "customers"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.customers import actions, receivers

        receivers.connect()  # re-screen after a SAT 69-B import; the catalog's rules on client record edits
        # Daily: the sales owner is told once before a compliance document expires.
        self.sweeps = [*self.sweeps, ("compliance documents expiring", lambda: actions.documents_remind_due())]
