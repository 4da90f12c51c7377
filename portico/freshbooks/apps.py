from django.apps import AppConfig


class FreshbooksConfig(AppConfig):
    name = "portico.freshbooks"
    label = "freshbooks"

    def ready(self) -> None:
        from django.core.checks import register

        from portico.freshbooks.checks import check_freshbooks_settings

        register(check_freshbooks_settings)
