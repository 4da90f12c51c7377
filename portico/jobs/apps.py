from collections.abc import Callable

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "portico.jobs"
    label = "jobs"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from portico.jobs import runner

        self.sweeps = [("stalled jobs restarted", lambda: runner.jobs_requeue_stale())]
