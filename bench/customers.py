"""Customer benchmarks (`BENCH_ONLY=customers make bench`, PostgreSQL, with a floor of its own run).

The organization "customers-bench" gets BENCH_N (default 1,000,000) company customers: their client
records (kind company, legal name, trade name, RFC-shaped tax id) and customer rows (half partial,
40 % active with a score, 10 % inactive; 5 % connected to FreshBooks; a third owned by the admin),
inserted set-based (INSERT … SELECT over generate_series; clients_client's secondary indexes
dropped and rebuilt around the load, as bench/clients.py does), and a 15,000-row SAT 69-B list
(sat69b_sat69bentry, the list one import leaves). A database that already holds them is reused.
Then, through the Django test client and the full middleware, as the organization's admin:

- ``customers.table``: the first page of the table (newest first); ``customers.table.deep``: a page
  half-way down (keyset cursor); ``customers.table.status``: the inactive customers (status filter);
  ``customers.table.name``: sorted by legal name, a page half-way down. Target p95 ≤ 30 ms.
- ``customers.quick_create``: + New Customer posted with htmx (a new valid RFC each run): the tax id
  checked, the duplicate look-up, the 69-B screening against the 15,000 rows, the client record,
  the customer row, the audit rows, the new row rendered. Target p95 ≤ 30 ms.
- ``customers.quick_create.listed``: the same with an RFC on the list (the alert rendered).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from stdnum.mx import rfc

from portico.core.keyset import cursor_encode

N = int(os.environ.get("BENCH_CUSTOMERS", os.environ.get("BENCH_N", "1000000")))
SAT_ROWS = int(os.environ.get("BENCH_SAT69B_ROWS", "15000"))
SLUG = "customers-bench"
HTMX = {"HX-Request": "true"}

CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, trade_name, email, phone, date_of_birth, address,
    language, client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at,
    created_by_id, deleted_at, deleted_by_id, time_zone)
SELECT %(org)s, 'company', 'client',
       (ARRAY['Servicios','Industrias','Comercializadora','Grupo','Constructora','Distribuidora','Logística',
              'Alimentos','Tecnología','Transportes'])[1 + g %% 10]
           || ' ' || (ARRAY['del Norte','del Bajío','Mexicana','Integral','del Pacífico','Peninsular','Global',
                            'Occidental','Nacional','del Golfo','Regional','Moderna'])[1 + (g / 10) %% 12]
           || ' ' || g || ' S.A. de C.V.',
       'Marca ' || g, '', '', NULL, '', 'es', NULL, '',
       chr(65 + g %% 26) || chr(65 + (g / 26) %% 26) || chr(65 + (g / 676) %% 26)
           || to_char(date '1990-01-01' + (g %% 9000), 'YYMMDD') || lpad(((g / 17576) %% 1000)::text, 3, '0'),
       'CUS-' || lpad(g::text, 8, '0'), 'active', NULL, '', '',
       now() - (%(n)s - g) * interval '1 minute', %(admin)s, NULL, NULL, ''
FROM generate_series(1, %(n)s) AS g
"""
CUSTOMERS_INSERT = """
INSERT INTO customers_customer (client_id, org_id, status, industry, website, payment_terms, credit_limit, currency,
    sales_owner_id, regimen_fiscal, uso_cfdi, fiscal_postal_code, sat69b_situation, sat69b_checked_at,
    freshbooks_id, freshbooks_connected_at, created_at, updated_at)
SELECT c.id, c.org_id,
       CASE WHEN c.id %% 10 = 0 THEN 'INAC' WHEN c.id %% 10 < 5 THEN 'PAIN' ELSE 'ACTV' END,
       CASE WHEN c.id %% 10 >= 5 THEN 'Construction' ELSE '' END, '',
       CASE WHEN c.id %% 10 >= 5 THEN 'net30' ELSE '' END, NULL, 'MXN',
       CASE WHEN c.id %% 3 = 0 THEN %(admin)s ELSE NULL END,
       '', '', '', '', c.created_at,
       CASE WHEN c.id %% 20 = 0 THEN 'fb' || c.id ELSE '' END, NULL,
       c.created_at, c.created_at
FROM clients_client c WHERE c.org_id = %(org)s
"""
# The current scores (customers_customerscore): the active half of the customers.
SCORES_INSERT = """
INSERT INTO customers_customerscore (customer_id, org_id, score, scored_at)
SELECT c.id, c.org_id, (c.id %% 10000) / 100.0, now()
FROM clients_client c WHERE c.org_id = %(org)s AND c.id %% 10 >= 5
"""


def _indexes(cursor: Any) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'clients_client'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """
    )
    return list(cursor.fetchall())


def seed() -> Any:
    from bench.clients import world_ensure
    from portico.customers.models import Customer
    from portico.sat69b.models import Sat69bEntry

    data = world_ensure(SLUG)
    org = data.org
    have = Customer.objects.filter(org=org).count()
    if have < N:
        print(f"customers: loading {N:,} company customers into '{SLUG}' (had {have:,})")
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DELETE FROM customers_customerscore WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM customers_customer WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM clients_client WHERE org_id = %s", [org.pk])
            indexes = _indexes(cursor)
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            params = {"org": org.pk, "admin": data.admin_id, "n": N}
            cursor.execute(CLIENTS_INSERT, params)
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute(CUSTOMERS_INSERT, params)
            cursor.execute(SCORES_INSERT, params)
            cursor.execute("DELETE FROM clients_casenumbercounter WHERE org_id = %s", [org.pk])
        with connection.cursor() as cursor:
            for table in ("clients_client", "customers_customer", "customers_customerscore"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        print(f"customers: loaded in {time.perf_counter() - t0:.1f}s")
    if Sat69bEntry.objects.count() < SAT_ROWS:
        # Valid RFCs (the quick create of a listed one must pass the tax id check), homoclave "U…".
        situations = ["presunto", "desvirtuado", "definitivo", "sentencia_favorable"]
        entries = [
            Sat69bEntry(
                rfc=tax_id,
                name=f"Contribuyente Listado {i} S.A. de C.V.",
                situation=situations[i % 4],
                presunto_published_on=dt.date(2018, 1, 1) + dt.timedelta(days=i % 2000),
            )
            for i, tax_id in zip(range(SAT_ROWS), _rfcs(0, "U"), strict=False)
        ]
        with transaction.atomic():
            Sat69bEntry.objects.all().delete()
            Sat69bEntry.objects.bulk_create(entries, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) sat69b_sat69bentry")
    return org


def _rfcs(start: int, mark: str = "V") -> Any:
    """Valid company RFCs (python-stdnum's check digit), homoclave starting with ``mark``."""
    for n in itertools.count(start):
        letters = "".join(chr(65 + (n // 26**i) % 26) for i in range(3))
        base = f"{letters}{(n // 17576) % 90 + 10:02d}{1 + n % 12:02d}{1 + n % 28:02d}{mark}{1 + n % 9}"
        yield base + rfc.calc_check_digit(base)


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    from portico.accounts.models import User
    from portico.clients.models import Client as ClientRecord
    from portico.customers.models import Customer, CustomerStatus
    from portico.sat69b.models import Sat69bEntry

    org = seed()
    client = Client()
    client.force_login(User.objects.get(email=f"admin@{SLUG}.test"))
    base = reverse("customer_list", args=[org.slug])
    newest = Customer.objects.filter(org=org).order_by("-created_at", "-client_id")
    half = newest.values_list("created_at", "client_id")[N // 2]
    deep = f"{base}?cursor={cursor_encode(list(half))}"
    name_qs = ClientRecord.objects.filter(org=org, deleted_at=None).order_by("name", "id").values_list("name", "id")
    name_half = name_qs[N // 2]
    deep_name = f"{base}?sort=name&cursor={cursor_encode(list(name_half))}"
    status = f"{base}?status={CustomerStatus.INACTIVE}"

    def get(url: str) -> Callable[[Client], Any]:
        def go(c: Client) -> Any:
            response = c.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return go

    used = set(ClientRecord.objects.filter(org=org, name="Bench Nueva S.A. de C.V.").values_list("tax_id", flat=True))
    fresh = (t for t in _rfcs(int(time.time()) % 10_000_000) if t not in used)
    listed = list(Sat69bEntry.objects.exclude(situation="definitivo").values_list("rfc", flat=True)[:2000])
    listed_iter = iter(listed)
    current: dict[str, str] = {}

    def next_fresh() -> None:
        current["tax_id"] = next(fresh)

    def next_listed() -> None:
        current["tax_id"] = next(listed_iter)

    new_url = reverse("customer_new", args=[org.slug])

    def create(c: Client) -> Any:
        response = c.post(
            new_url,
            {"legal_name": "Bench Nueva S.A. de C.V.", "trade_name": "Bench", "tax_id": current["tax_id"]},
            headers=HTMX,
        )
        assert response.status_code == 200 and "X-Portico-Refusal" not in response, response.content[:300]
        return response

    def forget_listed() -> None:
        """Listed RFCs are used once; the customers made of them go, so a rerun can use them again."""
        ClientRecord.objects.filter(org=org, tax_id__in=listed).delete()

    forget_listed()
    return [
        time_measure(measure_class("customers.table", N, get(base)), client),
        time_measure(measure_class("customers.table.deep", N, get(deep)), client),
        time_measure(measure_class("customers.table.status", N, get(status)), client),
        time_measure(measure_class("customers.table.name", N, get(deep_name)), client),
        time_measure(measure_class("customers.quick_create", N, create, before=next_fresh), client),
        time_measure(
            measure_class("customers.quick_create.listed", N, create, before=next_listed, after=forget_listed), client
        ),
    ]


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"customers.table: the customers table of an organization with {N:,} company customers (first page, newest "
        f"first; .deep: a keyset page half-way down; .status: the inactive ones (10 %); .name: sorted by legal name, "
        f"half-way down), through the full middleware as the admin. customers.quick_create: + New Customer posted with "
        f"htmx, a new valid RFC each run: tax id check, duplicate look-up, SAT 69-B screening against {SAT_ROWS:,} "
        f"listed taxpayers, the client record, the customer row, audit, the new row rendered; .listed: an RFC on the "
        f"list (the alert rendered). Target p95 ≤ 30 ms."
    )
