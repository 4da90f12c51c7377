"""Global client search: name, trade name, email, phone, case number and tax id; accent- and
case-insensitive; every term must appear somewhere (AND), as a substring.

One function, ``client_search``, picks the backend by ``connection.vendor``:

* PostgreSQL: ``LIKE '%term%'`` on the very expression the GIN trigram index of migration
  0002 is built on (``immutable_unaccent(lower(name || ' ' || email || …))``, partial on live
  records): rare terms are answered by a Bitmap Index Scan on ``client_search_trgm``, common
  ones by the newest records (see ``_postgresql_ids`` for how the two are chosen).
* SQLite: an FTS5 table ``clients_client_fts`` (trigram tokenizer, rowid = client id), kept in
  sync by triggers that index ``portico_fold(…)`` of the same fields. ``portico_fold`` is a
  Python function registered on every SQLite connection (``sqlite_functions_register``).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Prefetch, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from portico.clients.models import Client, WarningIndicator
from portico.orgs.models import Organization

SEARCH_FIELDS = ("name", "trade_name", "email", "phone", "case_number", "tax_id")
MAX_TERMS = 5
MAX_QUERY_LENGTH = 200
FTS_TABLE = "clients_client_fts"
PG_INDEX = "client_search_trgm"

# Letters without a Unicode decomposition that people still type without their accent.
_FOLD_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def fold(text: str) -> str:
    """Lowercase without accents: NFKD, combining marks dropped, lowercased ("José" → "jose")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower().translate(_FOLD_EXTRA)


def _fold_sql(value: Any) -> str | None:
    return None if value is None else fold(str(value))


def sqlite_functions_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: ``portico_fold(text)`` on every SQLite connection (the
    FTS triggers call it, so a connection without it cannot write client records)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("portico_fold", 1, _fold_sql, deterministic=True)


def _body(prefix: str) -> str:
    return " || ' ' || ".join(f"{prefix}{name}" for name in SEARCH_FIELDS)


# The same statements migration 0002 runs; a table remake by a later SQLite migration drops
# triggers with the old table, so ``sqlite_fts_triggers_ensure`` recreates missing ones after migrate.
SQLITE_FTS_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_ai AFTER INSERT ON clients_client BEGIN
  INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, portico_fold({_body("new.")}));
END""",  # noqa: S608 (constants only)
    f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_ad AFTER DELETE ON clients_client BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, portico_fold({_body("old.")}));
END""",  # noqa: S608
    f"""CREATE TRIGGER IF NOT EXISTS clients_client_fts_au AFTER UPDATE OF {", ".join(SEARCH_FIELDS)} ON clients_client BEGIN
  INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, portico_fold({_body("old.")}));
  INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, portico_fold({_body("new.")}));
END""",  # noqa: S608
]


def sqlite_fts_triggers_ensure(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver: recreate the FTS triggers if a table remake dropped them."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite" or FTS_TABLE not in conn.introspection.table_names():
        return
    with conn.cursor() as cursor:
        for statement in SQLITE_FTS_TRIGGERS:
            cursor.execute(statement)


class ImmutableUnaccent(Func):
    """``public.immutable_unaccent(text)``: unaccent() declared IMMUTABLE, so indexes may use it."""

    function = "public.immutable_unaccent"
    output_field = TextField()


class _SearchText(Func):
    """The indexed expression of migration 0002, column by column, joined with plain ``||``
    (Django's Concat nests COALESCE()s, which would not match the index expression)."""

    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self, template: str) -> None:
        super().__init__(*[F(name) for name in SEARCH_FIELDS], template=template)


class _Like(Func):
    """``lhs LIKE pattern`` (backslash escapes, the default on both databases)."""

    arg_joiner = " LIKE "
    template = "%(expressions)s"
    output_field = BooleanField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="%(expressions)s ESCAPE '\\'", **extra)


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_terms(query: str) -> list[tuple[str, str]]:
    """(as typed, folded) for each term worth searching: at most MAX_TERMS, each ≥ 2 characters
    once folded (a single digit is kept: "phone ends in 7"), duplicates dropped."""
    terms: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in query[:MAX_QUERY_LENGTH].split():
        folded = fold(raw)
        if (len(folded) < 2 and not folded.isdigit()) or folded in seen:
            continue
        seen.add(folded)
        terms.append((unicodedata.normalize("NFC", raw), folded))
        if len(terms) == MAX_TERMS:
            break
    return terms


def _postgresql_filter(qs: QuerySet[Client], terms: list[tuple[str, str]]) -> QuerySet[Client]:
    text = _SearchText("public.immutable_unaccent(lower(%(expressions)s))")
    for raw, _folded in terms:
        # The pattern is folded by the same SQL functions as the index (a constant, evaluated at
        # plan time), so whatever unaccent() does to the data it also does to the term.
        pattern = ImmutableUnaccent(Lower(Value(_like_pattern(raw))))
        qs = qs.filter(_Like(text, pattern))
    return qs


# The newest records of the organization that the first step reads (see _postgresql_ids).
RECENT_WINDOW = 3000
_PG_RECENT_SQL = """
SELECT id FROM (
    SELECT c.id, c.created_at, public.immutable_unaccent(lower({text})) AS folded
    FROM clients_client c
    WHERE c.org_id = %s AND c.deleted_at IS NULL
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT %s
) AS recent
WHERE {likes}
ORDER BY created_at DESC, id DESC
LIMIT %s
"""


_PG_SETTINGS = ("max_parallel_workers_per_gather", "enable_indexscan", "enable_seqscan")


def _pg_settings(cursor: Any, values: dict[str, str]) -> None:
    """SET LOCAL, for the current transaction only, as one statement."""
    cursor.execute(
        "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(values)), [x for kv in values.items() for x in kv]
    )


def _postgresql_ids(org: Organization, terms: list[tuple[str, str]], limit: int) -> list[int]:
    """The ids of the newest ``limit`` matches (inside a transaction: the settings are SET LOCAL).

    The planner, with the statistics of migration 0002, picks between the trigram index (a
    Bitmap Index Scan on client_search_trgm, then a sort of the matches: rare terms) and walking
    client_org_created newest first until ``limit`` rows match (common terms: "mar", "garcia").
    That walk assumes matches are spread evenly over time; when they all sit in old records (a
    case-number prefix like "2019-13") it reads every newer record (300,000 clients: 400 ms). So
    a walk is only ever bounded: the newest RECENT_WINDOW records, folded once each; if fewer
    than ``limit`` of them match, the trigram index answers (index and sequential scans off).

    Parallel plans are off: under a LIMIT their workers overshoot (1M clients: 300-500 ms
    instead of 45). Terms shorter than three characters have no trigrams; a query made only of
    them ("ma", "21") reads only the newest RECENT_WINDOW records (the next keystroke reads all).
    """
    matches = _postgresql_filter(Client.objects.filter(org=org, deleted_at=None), terms)
    ids_qs = matches.order_by("-created_at", "-id").values_list("id", flat=True)[:limit]
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        previous: dict[str, str] = {}
        if nested:  # SET LOCAL would outlive this block: note the settings to put them back
            cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(_PG_SETTINGS)), list(_PG_SETTINGS))
            previous = dict(zip(_PG_SETTINGS, cursor.fetchone(), strict=True))
        _pg_settings(cursor, {"max_parallel_workers_per_gather": "0"})
        sql, params = ids_qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
        ids: list[int] | None = None
        if PG_INDEX not in (plan if isinstance(plan, str) else json.dumps(plan)):
            ids = _postgresql_recent_ids(cursor, org, terms, limit)
            if len(ids) < limit and any(len(folded) >= 3 for _raw, folded in terms):
                _pg_settings(cursor, {"enable_indexscan": "off", "enable_seqscan": "off"})
                ids = None
        if ids is None:
            ids = list(ids_qs)
        if previous:
            _pg_settings(cursor, previous)
    return ids


def _postgresql_recent_ids(cursor: Any, org: Organization, terms: list[tuple[str, str]], limit: int) -> list[int]:
    patterns = [_like_pattern(raw) for raw, _folded in terms]
    text = " || ' ' || ".join(f"c.{name}" for name in SEARCH_FIELDS)
    likes = " AND ".join(["folded LIKE public.immutable_unaccent(lower(%s))"] * len(patterns))
    cursor.execute(
        _PG_RECENT_SQL.format(text=text, likes=likes),  # only constants formatted in; input is in params
        [org.pk, RECENT_WINDOW, *patterns, limit],
    )
    return [row[0] for row in cursor.fetchall()]


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_filter(qs: QuerySet[Client], terms: list[tuple[str, str]]) -> QuerySet[Client]:
    long_terms = [folded for _raw, folded in terms if len(folded) >= 3]
    short_terms = [folded for _raw, folded in terms if len(folded) < 3]
    if long_terms:
        # The trigram tokenizer needs three characters; each quoted term is a substring match.
        match = " AND ".join(_fts5_string(term) for term in long_terms)
        qs = qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))  # noqa: S608, S611
    text = _SearchText("portico_fold(%(expressions)s)")
    for term in short_terms:
        qs = qs.filter(_Like(text, Value(_like_pattern(term))))
    return qs


def client_search(*, org: Organization, query: str, limit: int = 20) -> list[Client]:
    """Live records of ``org`` matching every term of ``query``, newest first, with their type
    and warnings (ordered by label) loaded: a fixed number of queries, however many results."""
    terms = search_terms(query)
    if not terms:
        return []
    qs = Client.objects.filter(org=org, deleted_at=None)
    loaded = qs.select_related("client_type").prefetch_related(
        Prefetch("warnings", queryset=WarningIndicator.objects.order_by("label"))
    )
    whole = query.strip()
    if len(terms) == 1 and any(ch.isdigit() for ch in whole):
        # A complete case number is answered by its unique index (a fraction of a millisecond);
        # a trigram search over "NW-2026-…" would have to combine very common trigrams.
        exact = list(loaded.filter(case_number__in={whole, whole.upper()})[:1])
        if exact:
            return exact
    if connection.vendor == "postgresql":  # the one place that chooses the backend
        loaded = loaded.filter(pk__in=_postgresql_ids(org, terms, limit))
    else:
        loaded = _sqlite_filter(loaded, terms)
    return list(loaded.order_by("-created_at", "-id")[:limit])


def client_search_filter(qs: QuerySet[Client], query: str) -> QuerySet[Client] | None:
    """``qs`` (live records of one organization) narrowed to the records matching every term of
    ``query``, by the same index as ``client_search`` (trigrams on PostgreSQL, FTS5 on SQLite), for
    lists that page their own way (the customers table). None when the query has no usable term."""
    terms = search_terms(query)
    if not terms:
        return None
    if connection.vendor == "postgresql":
        return _postgresql_filter(qs, terms)
    return _sqlite_filter(qs, terms)
