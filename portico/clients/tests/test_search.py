"""Global client search: the selector on both databases (PostgreSQL trigram index, SQLite FTS5),
and the search page / htmx results for staff with and without clients.view."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portico.clients.actions import client_create, client_delete, client_set_warnings, client_update, warning_create
from portico.clients.models import Client
from portico.clients.search import client_search, fold, search_terms
from portico.core.actors import Actor
from portico.orgs.actions import membership_change_role, role_create

SYSTEM = Actor.system()
ODD = 'Odd 100%_Client "Quote" O\'Brien'


def _client(world, name, **fields):
    return client_create(org=world.org, actor=SYSTEM, name=name, **fields)


def _names(results):
    return sorted(c.name for c in results)


@pytest.fixture
def people(org_a):
    return {
        "jose": _client(
            org_a, "José Martínez", email="jose.martinez@example.org", phone="+525512345678", tax_id="MAJJ800101AB7"
        ),
        "maria": _client(org_a, "María Gómez", email="maria@correo.mx", phone="+525598765432", tax_id="GOMM900202CD0"),
        "marta": _client(org_a, "Marta Martín", email="mmartin@example.org", phone="+34911222333"),
        "oddity": _client(org_a, 'Odd 100%_Client "Quote" O\'Brien', email="odd@example.org"),
    }


def test_fold_drops_accents_and_case():
    assert fold("José MARTÍNEZ Ñandú Straße Øre") == "jose martinez nandu strasse ore"
    assert [f for _, f in search_terms("  a  Jo 7 x MARTÍN jo ")] == ["jo", "7", "martin"]
    assert len(search_terms("aa bb cc dd ee ff gg")) == 5


def test_accent_and_case_insensitive_partial_words(org_a, people):
    assert _names(client_search(org=org_a.org, query="jose mart")) == ["José Martínez"]
    assert _names(client_search(org=org_a.org, query="MARTÍN")) == ["José Martínez", "Marta Martín"]
    assert _names(client_search(org=org_a.org, query="martinez")) == ["José Martínez"]
    assert _names(client_search(org=org_a.org, query="gomez maria")) == ["María Gómez"]


def test_email_prefix_phone_suffix_case_number_and_tax_id(org_a, people):
    assert _names(client_search(org=org_a.org, query="jose.mar")) == ["José Martínez"]
    assert _names(client_search(org=org_a.org, query="5678")) == ["José Martínez"]
    assert _names(client_search(org=org_a.org, query="+5255")) == ["José Martínez", "María Gómez"]
    maria = people["maria"]
    assert _names(client_search(org=org_a.org, query=maria.case_number)) == ["María Gómez"]
    assert _names(client_search(org=org_a.org, query="gomm900202")) == ["María Gómez"]


def test_terms_are_anded_and_short_terms_still_filter(org_a, people):
    assert _names(client_search(org=org_a.org, query="mart example")) == ["José Martínez", "Marta Martín"]
    assert _names(client_search(org=org_a.org, query="mart correo")) == []
    # Two-character terms fall back to LIKE on SQLite (FTS5 trigrams need three).
    assert _names(client_search(org=org_a.org, query="mart 91")) == ["Marta Martín"]
    assert _names(client_search(org=org_a.org, query="mm")) == ["Marta Martín", "María Gómez"]
    assert client_search(org=org_a.org, query="") == []
    assert client_search(org=org_a.org, query="a") == []


def test_results_newest_first_and_limited(org_a, people):
    results = client_search(org=org_a.org, query="example")
    assert [c.pk for c in results] == sorted((c.pk for c in results), reverse=True)
    assert len(client_search(org=org_a.org, query="example", limit=2)) == 2


def test_other_organizations_clients_are_never_returned(org_a, org_b, people):
    _client(org_b, "José Martínez", email="jose.martinez@example.org", phone="+525512345678")
    results = client_search(org=org_a.org, query="jose martinez")
    assert [c.pk for c in results] == [people["jose"].pk]
    assert all(c.org_id == org_b.org.pk for c in client_search(org=org_b.org, query="jose"))
    assert client_search(org=org_b.org, query="maria") == []


def test_deleted_clients_are_never_returned(org_a, people):
    client_delete(client=people["jose"], actor=SYSTEM)
    assert client_search(org=org_a.org, query="jose") == []
    assert client_search(org=org_a.org, query="5678") == []


def test_edits_are_searchable_at_once(org_a, people):
    client_update(client=people["maria"], actor=SYSTEM, name="María Ñúñez", phone="+525500001111")
    assert _names(client_search(org=org_a.org, query="nunez 1111")) == ["María Ñúñez"]
    assert client_search(org=org_a.org, query="gomez") == []
    Client.objects.filter(pk=people["marta"].pk).delete()
    assert _names(client_search(org=org_a.org, query="mart")) == ["José Martínez"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("100%", ['Odd 100%_Client "Quote" O\'Brien']),
        ("%_c", ['Odd 100%_Client "Quote" O\'Brien']),
        ("%", []),
        ("_", []),
        ("%%", []),
        ("__", []),
        ('"quote"', ['Odd 100%_Client "Quote" O\'Brien']),
        ("o'brien", ['Odd 100%_Client "Quote" O\'Brien']),
        ('"', []),
        ('" OR 1=1 --', []),
        ("jose' OR '1'='1", []),
        ("\\", []),
        ("\\\\", []),
        ("x\\y", []),
        ("AND NEAR(x y) *", []),
        ("ma*", []),
    ],
)
def test_special_characters_match_literally(org_a, people, query, expected):
    assert _names(client_search(org=org_a.org, query=query)) == expected


def test_query_count_is_fixed(org_a):
    warnings = [
        warning_create(org=org_a.org, actor=SYSTEM, label=label, colour="#b3261e", icon="alert")
        for label in ("Safety", "Allergy")
    ]
    for i in range(20):
        client = _client(org_a, f"Searchable Person {i:02}", email=f"p{i}@example.org")
        client_set_warnings(client=client, actor=SYSTEM, warnings=warnings)

    def run(limit):
        with CaptureQueriesContext(connection) as ctx:
            results = client_search(org=org_a.org, query="searchable person", limit=limit)
            for c in results:
                _ = (c.client_type, [w.label for w in c.warnings.all()], c.get_status_display())
        warning_reads = [q for q in ctx.captured_queries if "clients_warningindicator" in q["sql"]]
        return len(results), len(ctx.captured_queries), len(warning_reads)

    two, twenty = run(2), run(20)
    assert two[0] == 2 and twenty[0] == 20
    assert two[1] == twenty[1] <= 10  # PostgreSQL adds its settings and plan check (see search.py)
    assert two[2] == twenty[2] == 1  # one prefetch for every result's warnings
    labels = [w.label for w in client_search(org=org_a.org, query="person 07")[0].warnings.all()]
    assert labels == ["Allergy", "Safety"]


def test_old_matches_are_found_when_recent_records_do_not_match(org_a, monkeypatch):
    """PostgreSQL reads the newest records first, then falls back to the trigram index."""
    from portico.clients import search

    monkeypatch.setattr(search, "RECENT_WINDOW", 5)
    old = [_client(org_a, f"Archived Alvarez {i:02}") for i in range(25)]
    for i in range(10):
        _client(org_a, f"Recent Person {i}")
    with CaptureQueriesContext(connection) as ctx:
        results = client_search(org=org_a.org, query="álvarez")
    assert [c.pk for c in results] == [c.pk for c in reversed(old)][:20]
    if connection.vendor == "postgresql":  # a small table: the planner walks, the window misses, the index answers
        sqls = [q["sql"] for q in ctx.captured_queries]
        assert any(") AS recent" in sql for sql in sqls) and any("'enable_indexscan'" in sql for sql in sqls), sqls
    short = client_search(org=org_a.org, query="ar", limit=3)
    if connection.vendor == "postgresql":  # no trigrams in "ar": only the newest RECENT_WINDOW records
        assert short == []
    else:
        assert [c.pk for c in short] == [c.pk for c in reversed(old)][:3]
    assert len(client_search(org=org_a.org, query="recent pe")) == 10


def _no_clients_user(world):
    role = role_create(org=world.org, actor=SYSTEM, name="Auditor", permissions=["audit.view"])
    membership_change_role(membership=world.membership(world.readonly), role=role, actor=SYSTEM)
    return world.readonly


def test_search_page_and_htmx_results(client, org_a, people):
    warning = warning_create(org=org_a.org, actor=SYSTEM, label="Interpreter", colour="#1f5fae", icon="language")
    client_set_warnings(client=people["jose"], actor=SYSTEM, warnings=[warning])
    client.force_login(org_a.readonly)
    url = f"/o/{org_a.org.slug}/search/"

    page = client.get(url, {"q": "jose mart"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html and "José Martínez" in html and "Marta Martín" not in html
    assert f"/o/{org_a.org.slug}/clients/{people['jose'].pk}/" in html
    assert people["jose"].case_number in html and "Not invited" in html and "Interpreter" in html

    partial = client.get(url, {"q": "martín"}, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in html
    assert "José Martínez" in html and "Marta Martín" in html and "María Gómez" not in html

    assert "HX-Request" in partial["Vary"]
    restore = client.get(url, {"q": "martín"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()

    empty = client.get(url, {"q": "nobody-like-this"}, HTTP_HX_REQUEST="true")
    assert "No client matches" in empty.content.decode()
    assert client.get(url, {"q": ""}, HTTP_HX_REQUEST="true").content.decode().strip() == ""


def test_search_without_clients_view_shows_nothing(client, org_a, people):
    user = _no_clients_user(org_a)
    client.force_login(user)
    url = f"/o/{org_a.org.slug}/search/"

    page = client.get(url, {"q": "jose"})
    assert page.status_code == 200
    assert "José Martínez" not in page.content.decode()
    assert "does not include viewing clients" in page.content.decode()

    partial = client.get(url, {"q": "jose"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "José Martínez" not in partial.content.decode()
    assert "does not include viewing clients" in partial.content.decode()


def test_nav_search_box_has_live_results(client, org_a):
    client.force_login(org_a.admin)
    html = client.get(f"/o/{org_a.org.slug}/").content.decode()
    assert 'id="global-search-results"' in html
    assert f'hx-get="/o/{org_a.org.slug}/search/"' in html
    assert "portico/search.js" in html and "portico/search.css" in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigram index")
def test_postgresql_search_uses_the_trigram_index(org_a, people):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO clients_client (org_id, kind, record_type, name, email, phone, address, language, notes,
                tax_id, case_number, status, image, thumbnail, created_at)
            SELECT %s, 'person', 'client', 'Filler ' || g, 'filler' || g || '@example.org', '+1555' || lpad(g::text, 7, '0'),
                '', '', '', '', 'F-' || g, 'not_invited', '', '', now()
            FROM generate_series(1, 5000) AS g
            """,
            [org_a.org.pk],
        )
        cursor.execute("ANALYZE clients_client")
        # What VACUUM would do (not allowed in the test's transaction): move the GIN pending list into the index.
        cursor.execute("SELECT gin_clean_pending_list('client_search_trgm'::regclass)")
    qs = Client.objects.filter(org=org_a.org, deleted_at=None)
    from portico.clients.search import _postgresql_filter

    sql, params = (
        _postgresql_filter(qs, search_terms("martinez")).order_by("-created_at", "-id")[:20].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # 5,000 rows: a seq scan would win
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "client_search_trgm" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")
        cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('max_parallel_workers_per_gather')")
        before = cursor.fetchone()
    assert [c.name for c in client_search(org=org_a.org, query="martinez")] == ["José Martínez"]
    assert len(client_search(org=org_a.org, query="filler example")) == 20
    with connection.cursor() as cursor:  # SET LOCAL inside the test's transaction: put back
        cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5")
def test_sqlite_fts_triggers_survive_a_table_remake(org_a, people):
    from portico.clients.search import sqlite_fts_triggers_ensure

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER clients_client_fts_ai")
    sqlite_fts_triggers_ensure(using="default")
    _client(org_a, "Zoë Ångström")
    assert _names(client_search(org=org_a.org, query="zoe angs")) == ["Zoë Ångström"]


def test_a_complete_case_number_is_found_directly(org_a):
    first = _client(org_a, "Casey Number")
    _client(org_a, "Other Person")
    assert client_search(org=org_a.org, query=first.case_number.lower()) == [first]
