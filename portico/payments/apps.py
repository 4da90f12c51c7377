from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "portico.payments"
    label = "payments"
