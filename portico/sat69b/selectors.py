"""Reads of the SAT 69-B list: one indexed lookup per RFC, and the newest import."""

from __future__ import annotations

from portico.sat69b.models import Sat69bEntry, Sat69bImport


def sat69b_lookup(*, rfc: str) -> Sat69bEntry | None:
    """The list's entry for ``rfc`` (compact, upper case), or None: one query on the unique index."""
    if not rfc:
        return None
    return Sat69bEntry.objects.filter(rfc=rfc).first()


def sat69b_latest_import() -> Sat69bImport | None:
    return Sat69bImport.objects.order_by("-imported_at", "-id").first()
