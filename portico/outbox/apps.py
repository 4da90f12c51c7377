from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "portico.outbox"
    label = "outbox"
