"""A company's trade name (customers catalog, seed 002), searchable like the legal name and the
tax id: the search index of 0002 is rebuilt over the new field list (search.SEARCH_FIELDS)."""

from django.db import migrations, models

OLD = ("name", "email", "phone", "case_number", "tax_id")
NEW = ("name", "trade_name", "email", "phone", "case_number", "tax_id")


def _body(fields, prefix=""):
    return " || ' ' || ".join(f"{prefix}{name}" for name in fields)


def _pg(fields):
    return [
        "DROP STATISTICS IF EXISTS client_search_text_stats",
        "DROP INDEX IF EXISTS client_search_trgm",
        f"CREATE INDEX client_search_trgm ON clients_client USING gin "
        f"((public.immutable_unaccent(lower({_body(fields)}))) gin_trgm_ops) WHERE deleted_at IS NULL",
        f"CREATE STATISTICS client_search_text_stats ON (public.immutable_unaccent(lower({_body(fields)}))) "
        f"FROM clients_client",
        "ALTER STATISTICS client_search_text_stats SET STATISTICS 1000",
        "ANALYZE clients_client",
    ]


def _sqlite(fields):
    return [
        "DROP TRIGGER IF EXISTS clients_client_fts_au",
        "DROP TRIGGER IF EXISTS clients_client_fts_ad",
        "DROP TRIGGER IF EXISTS clients_client_fts_ai",
        "DROP TABLE IF EXISTS clients_client_fts",
        "CREATE VIRTUAL TABLE clients_client_fts USING fts5(body, content='', tokenize='trigram')",
        f"INSERT INTO clients_client_fts(rowid, body) SELECT id, portico_fold({_body(fields)}) FROM clients_client",  # noqa: S608
        f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_ai AFTER INSERT ON clients_client BEGIN
  INSERT INTO clients_client_fts(rowid, body) VALUES (new.id, portico_fold({_body(fields, "new.")}));
END""",  # noqa: S608
        f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_ad AFTER DELETE ON clients_client BEGIN
  INSERT INTO clients_client_fts(clients_client_fts, rowid, body) VALUES ('delete', old.id, portico_fold({_body(fields, "old.")}));
END""",  # noqa: S608
        f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_au AFTER UPDATE OF {", ".join(fields)} ON clients_client BEGIN
  INSERT INTO clients_client_fts(clients_client_fts, rowid, body) VALUES ('delete', old.id, portico_fold({_body(fields, "old.")}));
  INSERT INTO clients_client_fts(rowid, body) VALUES (new.id, portico_fold({_body(fields, "new.")}));
END""",  # noqa: S608
    ]


def _rebuild(fields):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = _pg(fields) if vendor == "postgresql" else _sqlite(fields) if vendor == "sqlite" else []
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_client_time_zone_db_default")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="trade_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=200, verbose_name="trade name"),
        ),
        migrations.RunPython(_rebuild(NEW), _rebuild(OLD), elidable=False),
    ]
