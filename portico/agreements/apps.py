from collections.abc import Callable

from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "portico.agreements"
    label = "agreements"
    sweeps: list[tuple[str, Callable[[], int]]] = []

    def ready(self) -> None:
        from django.core.checks import register

        from portico.agreements import receivers, signing
        from portico.agreements.seal import check_seal_certificate

        receivers.connect()
        register(check_seal_certificate, deploy=True)
        # signing: seal the signed agreements a crash (or a missing certificate) left unsealed.
        self.sweeps = [*self.sweeps, ("signed agreements sealed", lambda: signing.agreements_seal_due())]
