from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "portico.notifications"
    label = "notifications"

    def ready(self) -> None:
        from portico.notifications.push import PushTransport
        from portico.outbox.models import Channel
        from portico.outbox.transports import TRANSPORTS

        TRANSPORTS[Channel.PUSH] = PushTransport()
