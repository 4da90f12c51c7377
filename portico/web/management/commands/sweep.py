"""`manage.py sweep`: the recovery work of every app, asked of each in turn. An app offers its part
by listing ``(description, function)`` pairs in its AppConfig's ``sweeps`` (filled in ``ready``);
each function returns how many things it handed on or recorded. Run it on a schedule in production
(and `make run` runs it at start)."""

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Recovery sweep: every app's recovery work (due messages, stalled jobs, expired invitations, ...)."

    def handle(self, *args: object, **options: object) -> None:
        for config in apps.get_app_configs():
            for description, work in getattr(config, "sweeps", ()):
                self.stdout.write(f"{config.label}: {description}: {work()}")
