from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "portico.agreements"
    label = "agreements"

    def ready(self) -> None:
        from portico.agreements import receivers

        receivers.connect()
