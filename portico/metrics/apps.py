from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "portico.metrics"
    label = "metrics"

    def ready(self) -> None:
        from portico.metrics import bulk

        bulk.register()
