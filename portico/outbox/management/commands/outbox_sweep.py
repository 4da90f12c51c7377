from django.core.management.base import BaseCommand

from portico.outbox.actions import outbox_sweep


class Command(BaseCommand):
    help = "Queue delivery of every due outbox message (lost retries, workers that died mid-send)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"queued {outbox_sweep()} message(s)")
