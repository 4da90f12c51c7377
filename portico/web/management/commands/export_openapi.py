import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from portico.web.api import api


class Command(BaseCommand):
    help = "Write docs/api/openapi.json from the API (a test compares it with the code)."

    def handle(self, *args: object, **options: object) -> None:
        path = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"
        path.write_text(json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n")
        self.stdout.write(f"wrote {path}")
