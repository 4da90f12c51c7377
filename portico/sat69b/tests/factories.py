"""The sample list (portico/sat69b/fixtures/69b_sample.csv) and small lists made in its layout."""

from __future__ import annotations

from pathlib import Path

from portico.core.actors import Actor
from portico.sat69b.actions import sat69b_import
from portico.sat69b.models import Sat69bImport

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "69b_sample.csv"
HEADER = "No,RFC,Nombre del Contribuyente,Situación del contribuyente,Publicación página SAT presuntos"


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def list_bytes(rows: dict[str, str]) -> bytes:
    """A list in the SAT layout (cp1252, with a preamble) of ``rfc -> situation label``."""
    lines = ["Listado completo 69-B", "Información actualizada al 1 de diciembre de 2026", "", HEADER]
    lines += [
        f"{n},{rfc},Contribuyente {n},{situation},24/05/2019" for n, (rfc, situation) in enumerate(rows.items(), 1)
    ]
    return "\r\n".join(lines).encode("cp1252")


def sample_import(data: bytes | None = None, source: str = "test") -> Sat69bImport:
    return sat69b_import(data=data if data is not None else sample_bytes(), source=source, actor=Actor.system())
