from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "portico.customers"
    label = "customers"
