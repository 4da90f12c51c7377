from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "portico.customers"
    label = "customers"

    def ready(self) -> None:
        from portico.customers import receivers

        receivers.connect()  # a new SAT 69-B list re-screens every customer
