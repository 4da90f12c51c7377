from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portico.audit.transitions import render_markdown


class Command(BaseCommand):
    help = "Write docs/state-machines.md from the transition tables."

    def handle(self, *args: object, **options: object) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "state-machines.md"
        path.write_text(render_markdown())
        self.stdout.write(f"wrote {path}")
