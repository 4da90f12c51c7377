"""`manage.py vapid_keys`: make the Web Push (VAPID) key pair. The private key goes to a PEM file
(settings.VAPID_PRIVATE_KEY_FILE, or --output) readable only by its owner; the public key is printed
as the applicationServerKey browsers subscribe with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portico.notifications.push import application_server_key, vapid_generate


class Command(BaseCommand):
    help = "Generate a VAPID key pair for Web Push and write the private key to a PEM file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Where to write the private PEM (default: VAPID_PRIVATE_KEY_FILE).")
        parser.add_argument("--force", action="store_true", help="Replace an existing key file.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing (successfully) when the key file exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"] or settings.VAPID_PRIVATE_KEY_FILE)
        if path.exists():
            if options["if_missing"]:
                return
            if not options["force"]:
                raise CommandError(f"{path} exists; --force replaces it (every device then has to subscribe again).")
        vapid = vapid_generate(path)
        self.stderr.write(f"Private key written to {path} (mode 0600).")
        self.stdout.write(application_server_key(vapid))
