from collections.abc import Callable

from django.apps import AppConfig


class Sat69bConfig(AppConfig):
    name = "portico.sat69b"
    label = "sat69b"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.sat69b import actions

        # Off until SAT69B_URL is set: queues the download when the newest import is older than SAT69B_EVERY_HOURS.
        self.sweeps = [("SAT 69-B list downloads queued", lambda: actions.sat69b_schedule())]
