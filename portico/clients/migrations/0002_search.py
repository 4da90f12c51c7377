"""Global client search indexes (see portico/clients/search.py).

PostgreSQL: pg_trgm + unaccent, the IMMUTABLE wrapper public.immutable_unaccent(text), one GIN
trigram index on the folded concatenation of the searchable fields of live records, and planner
statistics on that expression (CREATE STATISTICS on an expression needs PostgreSQL 14+).

SQLite: a contentless FTS5 table (trigram tokenizer, rowid = client id) over
portico_fold(<the same fields>), kept in sync by triggers. portico_fold() is registered on every
SQLite connection by the clients app (connection_created).

The extension operations of django.contrib.postgres would also run on SQLite as no-ops, but the
index and the FTS table cannot, so everything here checks the vendor itself.
"""

from django.db import migrations

FIELDS = ("name", "email", "phone", "case_number", "tax_id")


def _body(prefix=""):
    return " || ' ' || ".join(f"{prefix}{name}" for name in FIELDS)


PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION public.immutable_unaccent(text) RETURNS text AS $$ "
    "SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$ LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT",
    # The query side (search._SearchText) must produce exactly this expression to use the index.
    f"CREATE INDEX client_search_trgm ON clients_client USING gin "
    f"((public.immutable_unaccent(lower({_body()}))) gin_trgm_ops) WHERE deleted_at IS NULL",
    # The planner ignores a partial index's expression statistics, and without any it guesses LIKE
    # selectivities: "martinez" (thousands of rows) as 30 rows, "2122" (a few) as thousands. With
    # statistics on the expression it picks the trigram index for rare terms and the newest-first
    # btree walk (client_org_created) for common ones. A 1,000-entry histogram tells 0.1 % from 1 %.
    f"CREATE STATISTICS client_search_text_stats ON (public.immutable_unaccent(lower({_body()}))) FROM clients_client",
    "ALTER STATISTICS client_search_text_stats SET STATISTICS 1000",
    "ANALYZE clients_client",
]
PG_BACKWARD = [
    "DROP STATISTICS IF EXISTS client_search_text_stats",
    "DROP INDEX IF EXISTS client_search_trgm",
    "DROP FUNCTION IF EXISTS public.immutable_unaccent(text)",
    # The extensions stay: other objects may use them, and they cost nothing.
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE clients_client_fts USING fts5(body, content='', tokenize='trigram')",
    f"INSERT INTO clients_client_fts(rowid, body) SELECT id, portico_fold({_body()}) FROM clients_client",  # noqa: S608 (constants only)
    f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_ai AFTER INSERT ON clients_client BEGIN
  INSERT INTO clients_client_fts(rowid, body) VALUES (new.id, portico_fold({_body("new.")}));
END""",  # noqa: S608
    f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_ad AFTER DELETE ON clients_client BEGIN
  INSERT INTO clients_client_fts(clients_client_fts, rowid, body) VALUES ('delete', old.id, portico_fold({_body("old.")}));
END""",  # noqa: S608
    f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_au AFTER UPDATE OF {", ".join(FIELDS)} ON clients_client BEGIN
  INSERT INTO clients_client_fts(clients_client_fts, rowid, body) VALUES ('delete', old.id, portico_fold({_body("old.")}));
  INSERT INTO clients_client_fts(rowid, body) VALUES (new.id, portico_fold({_body("new.")}));
END""",  # noqa: S608
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS clients_client_fts_au",
    "DROP TRIGGER IF EXISTS clients_client_fts_ad",
    "DROP TRIGGER IF EXISTS clients_client_fts_ai",
    "DROP TABLE IF EXISTS clients_client_fts",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
