from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "portico.metrics"
    label = "metrics"
