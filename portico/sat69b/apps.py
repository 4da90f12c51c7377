from django.apps import AppConfig


class Sat69bConfig(AppConfig):
    name = "portico.sat69b"
    label = "sat69b"
