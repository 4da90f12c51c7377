"""Reading the SAT's "Listado completo 69-B" CSV: preamble, encodings, header variations, bad files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portico.core.errors import PorticoError
from portico.sat69b.models import Situation
from portico.sat69b.parser import date_of, parse, situation_of

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "69b_sample.csv"


def test_the_sample_file_is_cp1252_with_a_preamble_and_every_situation():
    data = SAMPLE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.startswith("Listado completo".encode("cp1252"))
    parsed = parse(data)
    by_rfc = {entry.rfc: entry for entry in parsed.entries}
    assert len(by_rfc) == 10
    assert {entry.situation for entry in parsed.entries} == set(Situation.values)
    assert parsed.skipped == 1  # the "Fuente:" footer
    definitivo = by_rfc["AAA190524M17"]
    assert definitivo.name == "COMERCIALIZADORA ÑANDÚ, S.A. DE C.V."
    assert definitivo.situation == Situation.DEFINITIVO
    assert definitivo.presunto_published_on == dt.date(2019, 5, 24)  # the SAT page's date, not the DOF's
    assert definitivo.definitivo_published_on == dt.date(2019, 11, 15)
    assert definitivo.desvirtuado_published_on is None
    # No date on the SAT page: the DOF's date stands in.
    assert by_rfc["FAC170615QR1"].presunto_published_on == dt.date(2017, 6, 15)
    assert by_rfc["EMP180228P59"].situation == Situation.SENTENCIA_FAVORABLE
    assert by_rfc["EMP180228P59"].sentencia_published_on == dt.date(2021, 1, 14)


def _csv(*lines: str, encoding: str = "utf-8", bom: bool = False) -> bytes:
    data = "\r\n".join(lines).encode(encoding)
    return b"\xef\xbb\xbf" + data if bom else data


def test_utf8_with_a_bom_and_a_header_without_accents_in_another_order():
    data = _csv(
        "Informacion actualizada al 1 de junio",
        "",
        '"  rfc ","SITUACION DEL CONTRIBUYENTE","Nombre del contribuyente","No","Publicacion pagina SAT presuntos"',
        " ccO150312kla ,presunto,Logística Ñ,1,12/03/2024",
        bom=True,
    )
    [entry] = parse(data).entries
    assert entry.rfc == "CCO150312KLA"
    assert entry.name == "Logística Ñ"
    assert entry.situation == Situation.PRESUNTO
    assert entry.presunto_published_on == dt.date(2024, 3, 12)


def test_a_semicolon_separated_resave_is_read():
    data = _csv(
        "RFC;Nombre del Contribuyente;Situación del contribuyente", "DEF160801N2A;Fénix;Desvirtuado", encoding="cp1252"
    )
    assert [(e.rfc, e.name, e.situation) for e in parse(data).entries] == [("DEF160801N2A", "Fénix", "desvirtuado")]


def test_blank_and_garbage_rows_are_skipped_and_a_repeated_rfc_keeps_its_last_row():
    data = _csv(
        "No,RFC,Nombre del Contribuyente,Situación del contribuyente",
        "1,AAA190524M17,First,Presunto",
        ",,,",
        "2,not an rfc,Someone,Presunto",
        "3,CCO150312KLA,Other,Unknown situation",
        "4,AAA190524M17,Second,Definitivo",
    )
    parsed = parse(data)
    assert [(e.rfc, e.name, e.situation) for e in parsed.entries] == [("AAA190524M17", "Second", "definitivo")]
    assert parsed.skipped == 2
    assert parsed.duplicates == 1


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"just,some,columns\r\n1,2,3\r\n",
        "RFC,Nombre\r\nAAA190524M17,Sin situación\r\n".encode("cp1252"),
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
    ],
)
def test_a_file_without_the_header_row_is_refused_clearly(data):
    with pytest.raises(PorticoError, match="no header row") as refused:
        parse(data)
    assert refused.value.code == "sat69b_no_header"


@pytest.mark.parametrize(
    ("text", "situation"),
    [
        ("Presunto", Situation.PRESUNTO),
        ("PRESUNTOS", Situation.PRESUNTO),
        (" desvirtuado ", Situation.DESVIRTUADO),
        ("Definitivo", Situation.DEFINITIVO),
        ("Sentencia Favorable", Situation.SENTENCIA_FAVORABLE),
        ("SENTENCIA FAVORABLE ", Situation.SENTENCIA_FAVORABLE),
        ("", None),
        ("Otro", None),
    ],
)
def test_situations(text, situation):
    assert situation_of(text) == situation


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("24/05/2019", dt.date(2019, 5, 24)),
        ("500-05-2019-1 de fecha 3/6/2019", dt.date(2019, 6, 3)),
        ("31/02/2019", None),
        ("", None),
        ("sin fecha", None),
    ],
)
def test_dates(text, when):
    assert date_of(text) == when
