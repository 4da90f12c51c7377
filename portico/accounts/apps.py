from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portico.accounts"
    label = "accounts"

    def ready(self) -> None:
        from portico.accounts import receivers

        receivers.connect()
