"""Client benchmarks (`make bench`, PostgreSQL): N clients in the organization "bench" and N/10 in
"other", loaded set-based (one INSERT … SELECT over generate_series per organization), then the
list, the global search, the record page and a bulk group add, timed through the real views.

The organizations, their users, roles, client types, warning indicators and groups are made by
the app's own actions; only the bulk rows (clients, their warnings, groups and navigators) are
inserted in SQL. A database that already holds N clients is reused; BENCH_RELOAD=1 reloads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext

from portico.clients.models import Client, ClientGroup, ClientStatus, ClientType, Group, WarningIndicator
from portico.clients.search import fold
from portico.clients.selectors import ClientFilters, client_filtered
from portico.core.actors import Actor
from portico.core.keyset import cursor_encode
from portico.jobs.models import Job, JobState
from portico.orgs.models import Organization

N = int(os.environ.get("BENCH_N", "1000000"))
OTHER_N = N // 10
RELOAD = os.environ.get("BENCH_RELOAD", "") not in ("", "0")
BULK_REPEAT = int(os.environ.get("BENCH_BULK_REPEAT", "5"))
BIG, OTHER = "bench", "other"
YEARS = 3  # created_at spreads over the last three years
BULK_GROUP = "Bench bulk"

# --- synthetic people (Mexican and Spanish names, accents included) ---


def _words(text: str) -> list[str]:
    """Distinct words in order (the lists below are easier to read as prose)."""
    return list(dict.fromkeys(text.split()))


FIRST_NAMES = _words(
    """José María Juan Guadalupe Francisco Ana Luis Carmen Jesús Rosa Miguel Margarita Pedro Verónica
        Alejandro Leticia Manuel Patricia Antonio Elizabeth Ricardo Gabriela Jorge Alejandra Fernando Adriana
        Roberto Martha Sergio Laura Raúl Silvia Javier Claudia Eduardo Mónica Daniel Sofía Arturo Lucía Óscar
        Valentina Héctor Ximena Andrés Regina Rubén Renata Víctor Camila Martín Daniela Rafael Fernanda Ángel
        Mariana Enrique Paola Alberto Andrea Salvador Natalia Ramón Valeria Joaquín Isabel Julián Beatriz Tomás
        Teresa Nicolás Araceli Sebastián Yolanda Mateo Irene Santiago Inés Diego Dolores Emilio Concepción
        Gonzalo Pilar Ignacio Consuelo Agustín Rocío Benjamín Maricela Adrián Noemí Germán Ángela Iván Mercedes
        Efraín Susana Rodrigo Lorena Gerardo Elena Hugo Esperanza Marco Catalina Armando Brenda Alfonso Nayeli
        Ernesto Itzel Cuauhtémoc Citlali Guillermo Xóchitl Felipe Yesenia Gustavo Karla Marcos Diana Pablo
        Paulina Saúl Berenice Abraham Julieta Gilberto Estefanía Jaime Ramona Leonardo Fátima Emiliano Ivonne
        Ismael Zoé Rogelio Jimena Octavio Aurora Mauricio Gloria Moisés Elsa Esteban Alicia Lázaro Rebeca
        Cristóbal Amparo Joel Eugenia Abel Josefina Alán Mireya Bruno Olga Darío Raquel Damián Sandra Elías
        Tania Fabián Viridiana Gael Wendy Horacio Yadira Isaac Zulema Israel Abigail Jonás Belén Lorenzo Celia
        Matías Dulce Néstor Edith Omar Flor Porfirio Gisela Ramiro Hilda Samuel Iris Ulises Jazmín Valentín
        Karina Wilfrido Lidia Yahir Lourdes Zacarías Noelia Baltasar Ofelia Ángeles Perla"""
)
SURNAMES = _words(
    """Hernández García Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz Flores Gómez Morales
        Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Moreno Castillo Romero Álvarez
        Méndez Chávez Rivera Juárez Ramos Domínguez Herrera Medina Castro Vargas Guzmán Velázquez Muñoz Rojas
        Contreras Salazar Luna Ortega Santiago Guerrero Estrada Bautista Cortés Soto Alvarado Espinoza Lara
        Ávila Ríos Cervantes Silva Delgado Vega Márquez Sandoval Fernández León Carrillo Mejía Solís Núñez
        Rosas Valdez Ibarra Campos Santos Camacho Navarro Peña Maldonado Rosales Acosta Miranda Trejo Valencia
        Nava Pacheco Robles Molina Rangel Huerta Padilla Fuentes Aguirre Cabrera Montes Ochoa Hidalgo Salinas
        Cárdenas Orozco Zúñiga Becerra Villanueva Galván Ponce Esquivel Villegas Arellano Tapia Barrera Rubio
        Benítez Meza Carmona Escobar Bravo Lozano Figueroa Marín Olvera Avendaño Sosa Palacios Quintero Zamora
        Ocampo Bermúdez Quiroz Téllez Serrano Villaseñor Montoya Arriaga Beltrán Cano Cisneros Córdova Franco
        Gallegos Garza Godínez Granados Lugo Macías Magaña Mata Mora Mercado Montero Murillo Osorio Pineda
        Prieto Quiñones Rocha Saldaña Sepúlveda Tovar Trujillo Uribe Valenzuela Vera Villarreal Zapata
        Bañuelos Calderón Carranza Cuevas Escamilla Gallardo Ibáñez Jaramillo Larios Leal Limón Manzano
        Arreola Peralta Quezada Rentería Sáenz Tamayo Urbina Varela Yáñez Zavala Anaya Benavides Coronado Durán
        Enríquez Farías Gallo Hinojosa Iglesias Jáuregui Lerma Maya Nieto Olivares Pedraza Quintana Reséndiz
        Segura Toledo Urrutia Vidal Xicoténcatl Yepes Zárate Ceballos Muñiz Ordóñez Peñaloza Íñiguez"""
)
STREETS = ["Insurgentes", "Reforma", "Juárez", "Hidalgo", "Morelos", "Madero", "Zaragoza", "Allende", "Guerrero"]
COLONIAS = ["Centro", "Roma Norte", "Condesa", "Del Valle", "Narvarte", "Coyoacán", "Tlalpan", "Doctores", "Obrera"]
EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "prodigy.net.mx", "icloud.com"]
# Weighted by repetition, indexed by a hash of the row number: every status, active the most common.
STATUS_WEIGHTS = (
    [ClientStatus.ACTIVE.value] * 7
    + [ClientStatus.NOT_INVITED.value] * 4
    + [ClientStatus.INACTIVE.value] * 3
    + [ClientStatus.CLOSED.value] * 3
    + [ClientStatus.INVITE_SENT.value] * 2
    + [ClientStatus.ARCHIVED.value]
)
WARNINGS = [("Safety concern", "shield"), ("Interpreter needed", "language"), ("Medical condition", "heart")]
GROUPS = ["Programa Despensa", "Taller de empleo", "Asesoría legal", "Salud comunitaria"]


def _ascii(word: str) -> str:
    return fold(word).replace(" ", "")


# --- the world: organizations, users and set-up data, through the app's actions ---


@dataclass
class OrgData:
    org: Organization
    admin_id: int
    types: list[int]  # the three default client types, by position
    warnings: list[int]
    groups: list[int]
    bulk_group: Group | None = None


def world_ensure(slug: str) -> OrgData:
    """world_create(slug) once, then the set-up data the load needs; safe to call every run."""
    from portico.clients import actions as client_actions
    from portico.orgs.actions import org_settings_update
    from testing.world import world_create

    actor = Actor.system()
    with transaction.atomic():
        if not Organization.objects.filter(slug=slug).exists():
            world_create(slug)
        org = Organization.objects.get(slug=slug)
        # An organization made before client records existed: give it what org_create gives now.
        if not ClientType.objects.filter(org=org).exists():
            client_actions.client_types_create_defaults(org=org, actor=actor)
        prefix = "".join(ch for ch in slug.upper() if ch.isalnum())[:3] or "C"
        pattern = f"{prefix}-{{year}}-{{seq:05}}"
        if org.case_number_pattern != pattern and not Client.objects.filter(org=org).exists():
            org = org_settings_update(org=org, actor=actor, case_number_pattern=pattern)
        for label, icon in WARNINGS:
            if not WarningIndicator.objects.filter(org=org, label__iexact=label).exists():
                client_actions.warning_create(org=org, actor=actor, label=label, colour="#b3261e", icon=icon)
        for name in [*GROUPS, BULK_GROUP]:
            if not Group.objects.filter(org=org, name__iexact=name).exists():
                client_actions.group_create(org=org, actor=actor, name=name)
    admin_id = (
        org.memberships.filter(role__grants_all=True, user__email=f"admin@{slug}.test")
        .values_list("user_id", flat=True)
        .get()
    )
    groups = dict(Group.objects.filter(org=org).values_list("name", "pk"))
    warnings = dict(WarningIndicator.objects.filter(org=org).values_list("label", "pk"))
    return OrgData(
        org=org,
        admin_id=admin_id,
        types=list(ClientType.objects.filter(org=org).order_by("position", "pk").values_list("pk", flat=True)[:3]),
        warnings=[warnings[label] for label, _icon in WARNINGS],
        groups=[groups[name] for name in GROUPS],
        bulk_group=Group.objects.select_related("org").get(pk=groups[BULK_GROUP]),
    )


# --- the load ---


def _sql_literal(text: str) -> str:
    """A string constant for SQL that goes through cursor.execute with parameters (so % doubled)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def case_number_sql(pattern: str) -> str:
    """The org's case-number pattern as an SQL expression over ``year`` and ``seq``, formatting
    exactly like ``pattern.format(seq=..., year=...)`` (``{seq:05}`` pads to 5 and grows beyond)."""
    parts: list[str] = []
    for literal, name, spec, _conv in string.Formatter().parse(pattern):
        if literal:
            parts.append(_sql_literal(literal))
        if name is None:
            continue
        value = {"seq": "seq::text", "year": "year::text"}[name]
        if spec and spec.startswith("0") and spec[1:].isdigit():
            width = int(spec[1:])
            value = f"(CASE WHEN length({value}) >= {width} THEN {value} ELSE lpad({value}, {width}, '0') END)"
        parts.append(value)
    return " || ".join(parts) or "''"


CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, email, phone, date_of_birth, address, language,
    client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at, created_by_id,
    deleted_at, deleted_by_id)
SELECT %(org)s, kind, record_type, name, email, phone, date_of_birth, address, language, client_type_id, '',
       tax_id, {case_number}, status, NULL, '', '', created_at, %(admin)s, NULL, NULL
FROM (
    SELECT *, extract(year FROM created_at)::int AS year,
           row_number() OVER ({window}) AS seq
    FROM (
        SELECT g,
               CASE WHEN company THEN 'company' ELSE 'person' END AS kind,
               CASE WHEN h2 %% 25 = 0 THEN 'employee' ELSE 'client' END AS record_type,
               CASE WHEN company THEN s1 || ' ' || s2 || ' y Asociados, S.C.' ELSE f || ' ' || s1 || ' ' || s2 END AS name,
               CASE WHEN (h1 / 7) %% 20 = 0 THEN ''
                    ELSE lower(fa || '.' || s1a) || g || '@' || (%(domains)s::text[])[1 + (h3 / 13) %% %(nd)s] END AS email,
               CASE WHEN (h2 / 11) %% 10 = 0 THEN '' ELSE '+5255' || lpad((h1 %% 100000000)::text, 8, '0') END AS phone,
               date '1945-01-01' + ((h2 / 17) %% 22000)::int AS date_of_birth,
               'Calle ' || (%(streets)s::text[])[1 + (h1 / 19) %% %(nstreets)s] || ' ' || (1 + (h3 / 23) %% 999)
                   || ', Col. ' || (%(colonias)s::text[])[1 + (h2 / 29) %% %(ncolonias)s] || ', Ciudad de México'
                   AS address,
               (ARRAY['es','es','es','es','es','es','es','es','es','es','es','es','es','es','es','es',
                      'en','','',''])[1 + (h3 / 31) %% 20] AS language,
               (%(types)s::bigint[])[1 + (h2 / 37) %% 20] AS client_type_id,
               CASE WHEN company THEN upper(left(s1a, 3)) || to_char(created_at, 'YYMMDD') || 'A' || (10 + h3 %% 90)
                    ELSE '' END AS tax_id,
               (%(statuses)s::text[])[1 + h3 %% 20] AS status,
               created_at
        FROM (
            SELECT g, h1, h2, h3, h1 %% 33 = 0 AS company,
                   (%(firsts)s::text[])[1 + (h3 / 41) %% %(nf)s] AS f,
                   (%(firsts_ascii)s::text[])[1 + (h3 / 41) %% %(nf)s] AS fa,
                   (%(surnames)s::text[])[1 + (h1 / 43) %% %(ns)s] AS s1,
                   (%(surnames_ascii)s::text[])[1 + (h1 / 43) %% %(ns)s] AS s1a,
                   (%(surnames)s::text[])[1 + h2 %% %(ns)s] AS s2,
                   %(end)s::timestamptz - (%(count)s - g) * %(step)s * interval '1 second' AS created_at
            FROM (
                SELECT g, abs(hashint8(g * 3 + %(offset)s)::bigint) AS h1,
                       abs(hashint8(g * 3 + 1 + %(offset)s)::bigint) AS h2,
                       abs(hashint8(g * 3 + 2 + %(offset)s)::bigint) AS h3
                FROM generate_series(1, %(count)s) AS g
            ) AS hashed
        ) AS named
    ) AS rows
) AS numbered
ORDER BY g
"""

# Side tables, keyed on a hash of the client id: ~5 % with a warning (1 % with two), ~10 % in one
# of the groups, ~1 % with the admin as navigator.
WARNINGS_INSERT = """
INSERT INTO clients_client_warnings (client_id, warningindicator_id)
SELECT id, (%(warnings)s::bigint[])[1 + (h / 20) %% 3] FROM (
    SELECT id, abs(hashint8(id)::bigint) AS h FROM clients_client WHERE org_id = %(org)s
) AS c WHERE h %% 20 = 0
UNION ALL
SELECT id, (%(warnings)s::bigint[])[1 + ((h / 20) + 1) %% 3] FROM (
    SELECT id, abs(hashint8(id)::bigint) AS h FROM clients_client WHERE org_id = %(org)s
) AS c WHERE h %% 100 = 0
"""
GROUPS_INSERT = """
INSERT INTO clients_clientgroup (client_id, group_id, added_at)
SELECT id, (%(groups)s::bigint[])[1 + (h / 10) %% %(ngroups)s], created_at + interval '1 day' FROM (
    SELECT id, created_at, abs(hashint8(id + 1)::bigint) AS h FROM clients_client WHERE org_id = %(org)s
) AS c WHERE h %% 10 = 0
"""
NAVIGATORS_INSERT = """
INSERT INTO clients_navigatorassignment (client_id, user_id, assigned_at)
SELECT id, %(admin)s, created_at FROM (
    SELECT id, created_at, abs(hashint8(id + 2)::bigint) AS h FROM clients_client WHERE org_id = %(org)s
) AS c WHERE h %% 100 = 0
"""


def _load_org(cursor: Any, data: OrgData, count: int, offset: int, end: dt.datetime) -> None:
    pattern = data.org.case_number_pattern
    scope = "year" if "{year" in pattern else "all"
    type_slots = [data.types[0]] * 11 + [data.types[1]] * 6 + [data.types[2]] * 2 + [None]  # 55/30/10/5 %
    params = {
        "org": data.org.pk,
        "admin": data.admin_id,
        "count": count,
        "offset": offset,
        "end": end,
        "step": YEARS * 365.25 * 86400 / count,
        "firsts": FIRST_NAMES,
        "firsts_ascii": [_ascii(n) for n in FIRST_NAMES],
        "surnames": SURNAMES,
        "surnames_ascii": [_ascii(n) for n in SURNAMES],
        "nf": len(FIRST_NAMES),
        "ns": len(SURNAMES),
        "domains": EMAIL_DOMAINS,
        "nd": len(EMAIL_DOMAINS),
        "streets": STREETS,
        "nstreets": len(STREETS),
        "colonias": COLONIAS,
        "ncolonias": len(COLONIAS),
        "types": type_slots,
        "statuses": STATUS_WEIGHTS,
    }
    window = "PARTITION BY extract(year FROM created_at) ORDER BY g" if scope == "year" else "ORDER BY g"
    cursor.execute(CLIENTS_INSERT.format(case_number=case_number_sql(pattern), window=window), params)
    side = {"org": data.org.pk, "admin": data.admin_id, "warnings": data.warnings, "groups": data.groups}
    cursor.execute(WARNINGS_INSERT, side)
    cursor.execute(GROUPS_INSERT, {**side, "ngroups": len(data.groups)})
    cursor.execute(NAVIGATORS_INSERT, side)
    # Keep the app's counter in step: the next client gets the next number, with no search for a free one.
    from portico.clients.models import CaseNumberCounter

    CaseNumberCounter.objects.filter(org=data.org).delete()
    if scope == "year":
        cursor.execute(
            "SELECT extract(year FROM created_at)::int, count(*) FROM clients_client WHERE org_id = %s GROUP BY 1",
            [data.org.pk],
        )
        counters = [(str(year), n) for year, n in cursor.fetchall()]
    else:
        counters = [("all", count)]
    CaseNumberCounter.objects.bulk_create(
        [CaseNumberCounter(org=data.org, scope=scope_, last_value=n) for scope_, n in counters]
    )


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """clients_client's indexes that back no constraint (name, CREATE statement)."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'clients_client'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """
    )
    return list(cursor.fetchall())


def bench_meta(cursor: Any, key: str, value: dict[str, Any] | None = None) -> dict[str, Any] | None:
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
    if value is not None:
        cursor.execute(
            "INSERT INTO bench_meta VALUES (%s, %s::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [key, json.dumps(value)],
        )
        return value
    cursor.execute("SELECT value FROM bench_meta WHERE key = %s", [key])
    row = cursor.fetchone()
    if row is None:
        return None
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]


@dataclass
class Loaded:
    load_ms: float
    reused: bool
    note: str


def seed() -> Loaded:
    """Load N + N/10 clients unless the database already has exactly that (then: reused)."""
    big, other = world_ensure(BIG), world_ensure(OTHER)
    have_big = Client.objects.filter(org=big.org).count()
    have_other = Client.objects.filter(org=other.org).count()
    with connection.cursor() as cursor:
        previous = bench_meta(cursor, f"clients_load_{N}")
    if not RELOAD and have_big == N and have_other == OTHER_N and previous:
        print(f"clients: reused {have_big:,} + {have_other:,} (loaded in {previous['load_ms'] / 1000:.1f}s)")
        return Loaded(previous["load_ms"], True, f"reused; loaded {previous['loaded_at']}")
    print(f"clients: loading {N:,} into '{BIG}' and {OTHER_N:,} into '{OTHER}' (had {have_big:,} + {have_other:,})")
    t0 = time.perf_counter()
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    steps: list[tuple[str, float]] = []

    def step(label: str, start: float) -> float:
        now = time.perf_counter()
        steps.append((label, now - start))
        return now

    with transaction.atomic(), connection.cursor() as cursor:
        # Everything in one transaction: a failed load leaves the previous data and indexes.
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED; checked at each statement's end
        # instead, no trigger events are pending when the indexes are built.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE clients_client, clients_client_warnings, clients_clientgroup, clients_navigatorassignment CASCADE"
        )
        # Secondary indexes (the GIN trigram one included) are built once after the load, not row by row.
        indexes = _secondary_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        t = step("truncate", t0)
        _load_org(cursor, big, N, 0, end)
        t = step(f"insert {BIG}", t)
        _load_org(cursor, other, OTHER_N, 3 * N + 1, end)
        t = step(f"insert {OTHER}", t)
        for name, definition in indexes:
            cursor.execute(definition)
            t = step(name, t)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "clients_client",
            "clients_client_warnings",
            "clients_clientgroup",
            "clients_navigatorassignment",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    step("vacuum analyze", t)
    load_ms = (time.perf_counter() - t0) * 1000
    print(
        "clients: loaded in " + f"{load_ms / 1000:.1f}s (" + ", ".join(f"{label} {s:.1f}s" for label, s in steps) + ")"
    )
    with connection.cursor() as cursor:
        bench_meta(cursor, f"clients_load_{N}", {"load_ms": round(load_ms, 1), "loaded_at": end.isoformat()})
    return Loaded(load_ms, False, "loaded now")


# --- what the measures use, found once, outside the timings ---


@dataclass
class Context:
    big: OrgData
    n_big: int
    type_filter: dict[str, Any] = field(default_factory=dict)
    group_filter: dict[str, Any] = field(default_factory=dict)
    deep: dict[str, str] = field(default_factory=dict)
    record_id: int = 0
    plain_record_id: int = 0
    searches: dict[str, str] = field(default_factory=dict)
    bulk_filters: ClientFilters = field(default_factory=ClientFilters)
    bulk_n: int = 0


def _half_way_cursor(org: Organization, filters: ClientFilters) -> str:
    qs = client_filtered(org=org, filters=filters).order_by("-created_at", "-id")
    total = qs.count()
    created_at, pk = qs.values_list("created_at", "id")[total // 2]
    return cursor_encode([created_at, pk])  # the newest sort's columns (clients.selectors.SORTS)


def prepare() -> Context:
    big = world_ensure(BIG)
    org = big.org
    ctx = Context(big=big, n_big=Client.objects.filter(org=org, deleted_at=None).count())
    second_type = big.types[1]
    ctx.type_filter = {"status": ClientStatus.ACTIVE.value, "client_type": second_type}
    ctx.group_filter = {"status": ClientStatus.ACTIVE.value, "group": big.groups[0]}
    ctx.deep["all"] = _half_way_cursor(org, ClientFilters())
    ctx.deep["type"] = _half_way_cursor(org, ClientFilters(status=ClientStatus.ACTIVE.value, client_type=second_type))
    ctx.deep["group"] = _half_way_cursor(org, ClientFilters(status=ClientStatus.ACTIVE.value, group=big.groups[0]))
    ids = Client.objects.filter(org=org).order_by("id").values_list("id", flat=True)
    mid_id = ids[ctx.n_big // 2]
    rich = (
        Client.objects.filter(org=org, id__gte=mid_id, warnings__isnull=False, navigatorassignment__isnull=False)
        .filter(clientgroup__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    ctx.record_id = rich or mid_id
    ctx.plain_record_id = (
        Client.objects.filter(
            org=org, id__gte=mid_id, warnings__isnull=True, navigatorassignment__isnull=True, clientgroup__isnull=True
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
        or mid_id
    )
    # Search terms taken from a real row half-way through (old enough that the recent window misses it).
    sample = Client.objects.exclude(email="").exclude(phone="").filter(org=org, id__gte=mid_id).order_by("id").first()
    assert sample is not None
    local = sample.email.split("@")[0]
    ctx.searches = {
        "surname": "hernandez",  # ~1 % of rows, typed without its accent
        "email_prefix": local[:-2],
        "case_number": sample.case_number,
        "phone_suffix": sample.phone[-4:],
    }
    # The app keeps working on the loaded data: the next client gets the next number (rolled back).
    from portico.clients.actions import client_create

    with transaction.atomic():
        created = client_create(org=org, actor=Actor.system(), name="Prueba Después")
        transaction.set_rollback(True)
    print(f"clients: the next client created through the app would get {created.case_number}")
    ctx.bulk_filters = ClientFilters(client_type=big.types[2])
    ctx.bulk_n = client_filtered(org=org, filters=ctx.bulk_filters).count()
    return ctx


_SKIP = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "EXPLAIN")


def explain_searches(ctx: Context) -> None:
    """Replay, once, the statements client_search issues for every measured term (its settings
    included), with EXPLAIN ANALYZE on each SELECT of clients_client; print the top of the plans
    of the matching steps (those with LIKE) and whether the trigram index answered."""
    from portico.clients.search import PG_INDEX, client_search

    for label, query in ctx.searches.items():
        with CaptureQueriesContext(connection) as captured:
            results = client_search(org=ctx.big.org, query=query)
        print(f"\nsearch.{label} {query!r}: {len(results)} results, {len(captured)} statements")
        used_index = False
        with transaction.atomic(), connection.cursor() as cursor:
            for q in captured.captured_queries:
                sql = q["sql"].strip()
                if sql.upper().startswith(_SKIP):
                    continue
                if not (sql.upper().startswith("SELECT") and "clients_client" in sql):
                    cursor.execute(sql)  # the search's own settings (set_config / SET LOCAL)
                    continue
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + sql)
                lines = [row[0] for row in cursor.fetchall()]
                used_index = used_index or any(PG_INDEX in line for line in lines)
                total = next((line for line in lines if line.startswith("Execution Time")), "")
                if " LIKE " not in sql.upper():
                    print(f"  {sql[:70]}… {total}")
                    continue
                print(f"  {sql[:150]}…")
                for line in lines[:10]:
                    print(f"      {line[:160]}")
                if total not in lines[:10]:
                    print(f"      … {total}")
        print(f"  uses {PG_INDEX}: {'yes' if used_index else 'no (answered from the newest records)'}")


# --- the measures ---

MeasureDecorator = Callable[..., Callable[[Callable[[TestClient], object]], Callable[[TestClient], object]]]


def register(measure: MeasureDecorator, ctx: Context) -> None:
    slug = BIG
    n = ctx.n_big
    url = f"/o/{slug}/clients/"
    lists = {
        "clients.list.first_page": {},
        "clients.list.deep_page": {"cursor": ctx.deep["all"]},
        "clients.list.status_type.first_page": ctx.type_filter,
        "clients.list.status_type.deep_page": {**ctx.type_filter, "cursor": ctx.deep["type"]},
        "clients.list.status_group.first_page": ctx.group_filter,
        "clients.list.status_group.deep_page": {**ctx.group_filter, "cursor": ctx.deep["group"]},
    }
    for name, params in lists.items():

        def run_list(client: TestClient, params: dict[str, Any] = params) -> object:
            return client.get(url, params)

        measure(name, n)(run_list)

    for label, query in ctx.searches.items():

        def run_search(client: TestClient, query: str = query) -> object:
            return client.get(f"/o/{slug}/search/", {"q": query}, headers={"HX-Request": "true"})

        measure(f"clients.search.{label}", n)(run_search)

    def run_record(client: TestClient) -> object:
        return client.get(f"/o/{slug}/clients/{ctx.record_id}/")

    def run_record_groups(client: TestClient) -> object:
        return client.get(f"/o/{slug}/clients/{ctx.record_id}/", {"section": "groups"})

    measure("clients.record", n)(run_record)  # the default section: status
    measure("clients.record.groups", n)(run_record_groups)

    group = ctx.big.bulk_group
    assert group is not None

    def bulk_reset() -> None:
        ClientGroup.objects.filter(group=group).delete()
        tasks_queued_drop()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM clients_clientgroup")

    def run_bulk(client: TestClient) -> object:
        from portico.clients.bulk import group_bulk_start

        # Over the kind's inline limit the job is queued for the worker: run here, as the worker would.
        job = group_bulk_start(group=group, actor=Actor.system(), operation="add", filters=ctx.bulk_filters)
        job = job_run_here(job)
        assert (job.state, job.count("changed")) == ("done", ctx.bulk_n), (job.state, job.counts, job.error)
        return job

    measure("groups.bulk_add", ctx.bulk_n, repeat=BULK_REPEAT, before=bulk_reset, after=bulk_reset, page=False)(
        run_bulk
    )


def job_run_here(job: Job) -> Job:
    """A job that ``*_start`` queued (over its kind's inline limit) run in this process, as the
    worker's ``run_job`` task would; one that already ran inline is returned as it is."""
    from portico.jobs.runner import job_run

    if job.state == JobState.QUEUED:
        job_run(job_id=job.pk)
    return Job.objects.get(pk=job.pk)


def tasks_queued_drop() -> None:
    """The ``run_job`` tasks of jobs already run here (untimed): a worker started later would only skip them."""
    from django_tasks_db.models import DBTaskResult

    from portico.jobs.runner import run_job

    DBTaskResult.objects.filter(task_path=run_job.module_path).delete()


def record_query_counts(client: TestClient, ctx: Context) -> tuple[int, int]:
    """Queries for the record page of a client with warnings, groups and a navigator, and of one without."""
    counts = []
    for client_id in (ctx.record_id, ctx.plain_record_id):
        client.get(f"/o/{BIG}/clients/{client_id}/")  # the first org page of a session also writes it
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/o/{BIG}/clients/{client_id}/")
        assert response.status_code == 200, response
        counts.append(len(captured))
    return counts[0], counts[1]
