"""An import replaces the list atomically and records its date, source, digest and row count."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from portico.audit.models import AuditAction, AuditEvent
from portico.core.errors import PorticoError
from portico.sat69b import actions
from portico.sat69b.models import Sat69bEntry, Sat69bImport, Situation
from portico.sat69b.selectors import sat69b_latest_import, sat69b_lookup
from portico.sat69b.tests.factories import list_bytes, sample_bytes, sample_import

pytestmark = pytest.mark.django_db


def test_an_import_loads_the_list_and_records_it():
    before = timezone.now()
    imported = sample_import(source="/data/69b.csv")
    assert Sat69bEntry.objects.count() == imported.row_count == 10
    assert imported.source == "/data/69b.csv"
    assert imported.sha256 == hashlib.sha256(sample_bytes()).hexdigest()
    assert imported.imported_at >= before
    assert sat69b_latest_import() == imported
    entry = sat69b_lookup(rfc="AAA190524M17")
    assert entry is not None and entry.situation == Situation.DEFINITIVO
    assert [label for label, _when in entry.publications()] == ["Presunto", "Definitivo"]
    event = AuditEvent.objects.get(action=AuditAction.SAT69B_IMPORTED)
    assert event.org_id is None  # the list is the installation's
    assert event.target_id == str(imported.pk)
    assert event.detail["rows"] == 10 and event.detail["sha256"] == imported.sha256


def test_a_new_import_replaces_the_whole_list():
    sample_import()
    second = sample_import(list_bytes({"CCO150312KLA": "Definitivo", "ZZZ010101AB1": "Presunto"}))
    assert set(Sat69bEntry.objects.values_list("rfc", "situation")) == {
        ("CCO150312KLA", "definitivo"),
        ("ZZZ010101AB1", "presunto"),
    }
    assert Sat69bImport.objects.count() == 2
    assert sat69b_latest_import() == second


def test_a_lookup_is_one_query(django_assert_num_queries):
    sample_import()
    with django_assert_num_queries(1):
        assert sat69b_lookup(rfc="ZAP110817H33") is not None
    with django_assert_num_queries(1):
        assert sat69b_lookup(rfc="XAXX010101000") is None


@pytest.mark.parametrize(
    "data",
    [b"not a list at all", "RFC,Nombre,Situación del contribuyente\r\n".encode("cp1252")],
    ids=["no header", "no rows"],
)
def test_a_bad_file_is_refused_and_the_old_list_stays(data):
    first = sample_import()
    with pytest.raises(PorticoError):
        sample_import(data)
    assert Sat69bEntry.objects.count() == 10
    assert list(Sat69bImport.objects.all()) == [first]


def test_an_import_failing_half_way_leaves_the_old_list(monkeypatch):
    sample_import()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    # After the old rows were deleted and the new ones inserted: the whole change rolls back.
    monkeypatch.setattr(actions, "audit_record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        sample_import(list_bytes({"CCO150312KLA": "Definitivo"}))
    assert Sat69bEntry.objects.count() == 10
    assert Sat69bEntry.objects.get(rfc="CCO150312KLA").situation == Situation.PRESUNTO
    assert Sat69bImport.objects.count() == 1
