from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "portico.orgs"
    label = "orgs"

    def ready(self) -> None:
        from portico.orgs import receivers

        receivers.connect()
