from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "portico.notifications"
    label = "notifications"

    def ready(self) -> None:
        from django.core.checks import register

        from portico.notifications.checks import check_vapid_key
        from portico.notifications.push import PushTransport
        from portico.outbox.models import Channel
        from portico.outbox.transports import TRANSPORTS

        TRANSPORTS[Channel.PUSH] = PushTransport()
        register(check_vapid_key, deploy=True)
