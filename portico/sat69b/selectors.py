"""Reads of the SAT 69-B list: one indexed lookup per RFC, and the newest import."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from portico.sat69b.models import Sat69bEntry, Sat69bImport


def sat69b_lookup(*, rfc: str) -> Sat69bEntry | None:
    """The list's entry for ``rfc`` (compact, upper case), or None: one query on the unique index."""
    if not rfc:
        return None
    return Sat69bEntry.objects.filter(rfc=rfc).first()


def sat69b_latest_import() -> Sat69bImport | None:
    return Sat69bImport.objects.order_by("-imported_at", "-id").first()


def sat69b_import_due() -> bool:
    """A scheduled download is due: SAT69B_URL is set and the newest import is older than
    SAT69B_EVERY_HOURS (or there is none)."""
    if not settings.SAT69B_URL:
        return False
    latest = sat69b_latest_import()
    return latest is None or latest.imported_at <= timezone.now() - timedelta(hours=settings.SAT69B_EVERY_HOURS)
