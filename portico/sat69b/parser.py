"""Reading the SAT's "Listado completo 69-B" CSV.

The SAT publishes it in Latin-1/cp1252 (UTF-8, with or without a BOM, is accepted too), with a few
preamble lines (a title, "Información actualizada al …", blank lines) before the header row. The
header row is the first row naming an RFC column and a situation column; the other columns are
found by name whatever their order, case, accents or spacing:

    No | RFC | Nombre del Contribuyente | Situación del contribuyente |
    Número y fecha de oficio global de presunción SAT | Publicación página SAT presuntos |
    Publicación DOF presuntos | … desvirtuados | … definitivos | … sentencia favorable

Each stage's date is its "Publicación página SAT …" column (dd/mm/yyyy), or its "Publicación DOF
…" column when the first is empty or not a date. Rows without an RFC or with an unknown situation
are skipped (and counted); an RFC listed twice keeps its last row.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portico.core.errors import PorticoError
from portico.sat69b.models import Situation

# Stage -> the words its publication columns end with (after "publicacion pagina sat" / "publicacion dof").
_STAGES: dict[str, tuple[str, ...]] = {
    Situation.PRESUNTO: ("presunto", "presuntos"),
    Situation.DESVIRTUADO: ("desvirtuado", "desvirtuados"),
    Situation.DEFINITIVO: ("definitivo", "definitivos"),
    Situation.SENTENCIA_FAVORABLE: ("sentencia favorable", "sentencias favorables"),
}
_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?!\d)")
_RFC = re.compile(r"^[A-Z&Ñ]{3,4}[0-9]{6}[A-Z0-9]{3}$")
# The header row is looked for in the first lines only: a file without one is refused quickly.
_HEADER_SEARCH_ROWS = 50


@dataclass(frozen=True)
class ParsedEntry:
    rfc: str
    name: str
    situation: str
    presunto_published_on: dt.date | None = None
    desvirtuado_published_on: dt.date | None = None
    definitivo_published_on: dt.date | None = None
    sentencia_published_on: dt.date | None = None


@dataclass
class ParsedList:
    entries: list[ParsedEntry] = field(default_factory=list)
    skipped: int = 0  # rows that were neither blank nor usable (no RFC, unknown situation)
    duplicates: int = 0  # rows replaced by a later row for the same RFC


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces: how headers and situations are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().replace("\ufeff", "").split())


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) when the bytes are UTF-8, else cp1252 (the SAT's own encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@functools.lru_cache(maxsize=64)  # a list has a handful of distinct spellings
def situation_of(text: str) -> str | None:
    """The Situation a cell names ("Presunto", "DEFINITIVO", "Sentencia Favorable", …), or None."""
    folded = _fold(text)
    if not folded:
        return None
    if "sentencia" in folded:
        return str(Situation.SENTENCIA_FAVORABLE)
    for situation in (Situation.DESVIRTUADO, Situation.DEFINITIVO, Situation.PRESUNTO):
        if folded.startswith(str(situation)):
            return str(situation)
    return None


def date_of(text: str) -> dt.date | None:
    """A dd/mm/yyyy date somewhere in the cell (the SAT sometimes adds text around it), or None."""
    for match in _DATE.finditer(text or ""):
        day, _sep, month, year = match.groups()
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
    return None


@dataclass
class _Columns:
    rfc: int
    situation: int
    name: int | None
    sat_page: dict[str, int]
    dof: dict[str, int]


def _columns(row: list[str]) -> _Columns | None:
    folded = [_fold(cell) for cell in row]
    rfc = next((i for i, cell in enumerate(folded) if cell == "rfc" or cell.startswith("rfc ")), None)
    situation = next((i for i, cell in enumerate(folded) if cell.startswith("situacion")), None)
    if rfc is None or situation is None:
        return None
    name = next((i for i, cell in enumerate(folded) if cell.startswith(("nombre", "razon social"))), None)
    sat_page: dict[str, int] = {}
    dof: dict[str, int] = {}
    for i, cell in enumerate(folded):
        if not cell.startswith("publicacion"):
            continue
        for stage, endings in _STAGES.items():
            if cell.endswith(endings):
                (dof if "dof" in cell.split() else sat_page).setdefault(stage, i)
    return _Columns(rfc=rfc, situation=situation, name=name, sat_page=sat_page, dof=dof)


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def parse(data: bytes) -> ParsedList:
    """Every usable row of the file, one per RFC. Raises PorticoError when no header row is found."""
    text = decode(data)
    columns: _Columns | None = None
    reader: Iterator[list[str]] = iter([])
    for delimiter in (",", ";", "\t", "|"):  # the SAT's is a comma; spreadsheets re-save with others
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, row in enumerate(reader):
            columns = _columns(row)
            if columns is not None or number >= _HEADER_SEARCH_ROWS:
                break
        if columns is not None:
            break
    if columns is None:
        raise PorticoError(
            _(
                "This is not the SAT 69-B list: no header row with an RFC column and a "
                "“Situación del contribuyente” column was found in its first %(rows)s lines."
            )
            % {"rows": _HEADER_SEARCH_ROWS},
            code="sat69b_no_header",
        )
    found: dict[str, ParsedEntry] = {}
    result = ParsedList()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        rfc = re.sub(r"[\s-]", "", _cell(row, columns.rfc)).upper()
        situation = situation_of(_cell(row, columns.situation))
        if not _RFC.match(rfc) or situation is None:
            result.skipped += 1
            continue
        dates = {}
        for stage in _STAGES:
            when = date_of(_cell(row, columns.sat_page.get(stage)))
            dates[stage] = when or date_of(_cell(row, columns.dof.get(stage)))
        if rfc in found:
            result.duplicates += 1
            del found[rfc]  # the last row wins, in its own place
        found[rfc] = ParsedEntry(
            rfc=rfc,
            name=" ".join(_cell(row, columns.name).split())[:300],
            situation=situation,
            presunto_published_on=dates[Situation.PRESUNTO],
            desvirtuado_published_on=dates[Situation.DESVIRTUADO],
            definitivo_published_on=dates[Situation.DEFINITIVO],
            sentencia_published_on=dates[Situation.SENTENCIA_FAVORABLE],
        )
    result.entries = list(found.values())
    return result
