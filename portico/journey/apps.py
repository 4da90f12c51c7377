from collections.abc import Callable

from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "portico.journey"
    label = "journey"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.journey import actions, receivers

        receivers.connect()
        self.sweeps = [("onboarding reminders sent", lambda: actions.journey_reminders_send())]
