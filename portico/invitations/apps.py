from django.apps import AppConfig


class InvitationsConfig(AppConfig):
    name = "portico.invitations"
    label = "invitations"

    def ready(self) -> None:
        from portico.invitations import receivers  # noqa: F401  (delivery signals from the outbox)
