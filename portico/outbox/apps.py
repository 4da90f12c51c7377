from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "portico.outbox"
    label = "outbox"

    def ready(self) -> None:
        from portico.outbox import receivers  # noqa: F401  (email delivery reports from anymail webhooks)
