from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "portico.requests"
    label = "client_requests"  # "requests" would shadow the HTTP library's name in app labels

    def ready(self) -> None:
        from portico.requests import receivers

        receivers.connect()
