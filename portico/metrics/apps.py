from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "portico.metrics"
    label = "metrics"

    def ready(self) -> None:
        from portico.jobs.kinds import job_kind_register
        from portico.metrics.bulk import KIND_SCORES

        job_kind_register(KIND_SCORES)
