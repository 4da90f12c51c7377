"""`manage.py seal_certificate`: make a self-signed seal certificate for signed agreements
(development and demos; production loads one from a certificate vendor). RSA-2048 (or EC P-256
with --ec), CN "<name> document seal", key usage digital signature + content commitment. Written
as PEM files (AGREEMENT_SEAL_CERT_FILE and AGREEMENT_SEAL_KEY_FILE, or --cert/--key) or as a
PKCS#12 file (--pkcs12 PATH --passphrase X). An existing file is kept unless --force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portico.agreements.seal import (
    seal_certificate_make,
    seal_certificate_write_pem,
    seal_certificate_write_pkcs12,
)
from portico.orgs.models import Organization


class Command(BaseCommand):
    help = "Make a self-signed certificate that seals signed agreements (PDF signature)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", help="Whose seal: an organization or site name (default: the only organization, else the site)."
        )
        parser.add_argument("--cert", help="PEM certificate path (default: AGREEMENT_SEAL_CERT_FILE).")
        parser.add_argument("--key", help="PEM private key path (default: AGREEMENT_SEAL_KEY_FILE).")
        parser.add_argument("--pkcs12", help="Write one PKCS#12 file here instead of PEM files.")
        parser.add_argument("--passphrase", default="", help="The PKCS#12 file's passphrase.")
        parser.add_argument("--ec", action="store_true", help="An EC P-256 key instead of RSA-2048.")
        parser.add_argument("--days", type=int, default=3650, help="Validity in days (default 3650).")
        parser.add_argument("--force", action="store_true", help="Replace existing files.")
        parser.add_argument("--if-missing", action="store_true", help="Do nothing (successfully) when the files exist.")

    def _name(self, given: str | None) -> str:
        if given:
            return given
        orgs = list(Organization.objects.values_list("name", flat=True)[:2])
        return orgs[0] if len(orgs) == 1 else settings.SITE_URL.split("://", 1)[-1] or "Portico"

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pkcs12"]:
            targets = [Path(options["pkcs12"])]
        else:
            targets = [
                Path(options["cert"] or settings.AGREEMENT_SEAL_CERT_FILE),
                Path(options["key"] or settings.AGREEMENT_SEAL_KEY_FILE),
            ]
        existing = [p for p in targets if p.exists()]
        if existing:
            if options["if_missing"]:
                return
            if not options["force"]:
                raise CommandError(
                    f"{', '.join(map(str, existing))} exists; --force replaces it (copies sealed with the old "
                    "certificate then no longer verify here)."
                )
        common_name = f"{self._name(options['name'])} document seal"
        key, cert = seal_certificate_make(common_name, kind="ec" if options["ec"] else "rsa", days=options["days"])
        if options["pkcs12"]:
            seal_certificate_write_pkcs12(key, cert, path=targets[0], passphrase=options["passphrase"])
        else:
            seal_certificate_write_pem(key, cert, cert_file=targets[0], key_file=targets[1])
        self.stdout.write(f"Seal certificate '{common_name}' written to {', '.join(map(str, targets))}.")
