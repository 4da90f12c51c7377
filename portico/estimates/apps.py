from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "portico.estimates"
