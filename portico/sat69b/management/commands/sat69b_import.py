"""`manage.py sat69b_import FILE_OR_URL`: replace the SAT 69-B list with a local CSV file or one
downloaded from an http(s) address, then re-screen every customer against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.sat69b.actions import sat69b_import
from portico.sat69b.download import MAX_BYTES, download, is_url


class Command(BaseCommand):
    help = "Import the SAT 69-B list ('Listado completo 69-B' CSV) from a file or an http(s) address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A path to the CSV file, or an http:// or https:// address.")
        parser.add_argument("--timeout", type=float, default=60, help="Download timeout in seconds (default 60).")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        try:
            if is_url(source):
                data = download(source, timeout=options["timeout"])
            else:
                path = Path(source)
                if not path.is_file():
                    raise CommandError(f"{source}: no such file")
                if path.stat().st_size > MAX_BYTES:
                    raise CommandError(f"{source}: larger than {MAX_BYTES // (1024 * 1024)} MB, not the SAT 69-B list")
                data = path.read_bytes()
                source = str(path.resolve())
            imported = sat69b_import(data=data, source=source, actor=Actor.system())
        except PorticoError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"SAT 69-B list imported from {source}: {imported.row_count} rows; "
            f"{imported.rescreened_changes} customer screenings changed."
        )
