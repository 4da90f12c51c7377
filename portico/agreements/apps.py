from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "portico.agreements"
    label = "agreements"
