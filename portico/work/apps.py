from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "portico.work"
    label = "work"
