from django.apps import AppConfig


class FreshbooksConfig(AppConfig):
    name = "portico.freshbooks"
    label = "freshbooks"
