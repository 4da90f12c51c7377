"""Estimate benchmarks (`make bench`, PostgreSQL; `BENCH_ONLY=estimates` once run.py knows it).

The organization "estimates-bench" gets BENCH_ESTIMATE_CLIENTS (default 2,000) clients and
N = BENCH_ESTIMATE_N (default 10,000) sent estimates over them with BENCH_ESTIMATE_LINES (default
20) line items each, inserted set-based (INSERT … SELECT generate_series), and a portal set-up with
a logo (the PDF's branding). Then, through the Django test client, signed in as the admin:

- ``estimates.pdf``: the staff PDF download of one sent estimate with 20 line items (made by the
  actions, so its totals and hash are the real ones), rendered cold every time (its kept PDF is
  removed before each run, untimed): the estimate with the branding, its lines and attachments,
  totals.py, WeasyPrint's layout and PDF writing, and keeping the file.
- ``estimates.pdf.cached``: the repeat download of the same PDF, read from storage (a sent
  estimate's content never changes: pdf.py keeps it per content hash, language and branding).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from portico.core.actors import Actor
from portico.orgs.models import Organization

N = int(os.environ.get("BENCH_ESTIMATE_N", "10000"))
CLIENTS = int(os.environ.get("BENCH_ESTIMATE_CLIENTS", "2000"))
LINES = int(os.environ.get("BENCH_ESTIMATE_LINES", "20"))
SLUG = "estimates-bench"

CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, email, phone, date_of_birth, address, language,
    client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at, created_by_id,
    deleted_at, deleted_by_id, time_zone)
SELECT %(org)s, 'person', 'client', 'Estimate Client ' || g, 'quote' || g || '@example.test', '', NULL, '', 'en',
       NULL, '', '', 'EST-B-' || lpad(g::text, 6, '0'), 'active', NULL, '', '', now() - g * interval '1 hour',
       %(admin)s, NULL, NULL, ''
FROM generate_series(1, %(n)s) AS g
"""
# Numbers 1..N; the measured estimate (made by the actions) takes N + 1.
ESTIMATES_INSERT = """
INSERT INTO estimates_estimate (org_id, client_id, lead_id, number, version, supersedes_id, state, currency,
    created_by_id, created_at, sent_at, decided_at, scope, notes, valid_until, discount_kind, discount_value,
    subtotal, discount_total, tax_total, total, content_hash, decline_reason, question_id)
SELECT %(org)s, c.ids[1 + g %% array_length(c.ids, 1)], NULL, g, 1, NULL,
       (ARRAY['sent','approved','declined','draft'])[1 + g %% 4], %(currency)s, %(admin)s,
       now() - g * interval '10 minutes', now() - g * interval '9 minutes', NULL, 'Bench scope ' || g, '', NULL, '', 0,
       0, 0, 0, 0, '', '', NULL
FROM generate_series(1, %(n)s) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM clients_client WHERE org_id = %(org)s) AS c
"""
LINES_INSERT = """
INSERT INTO estimates_estimateline (estimate_id, position, description, quantity, unit, unit_price, tax_rate)
SELECT e.id, l, 'Line ' || l, 1 + l %% 5, 'h', 10 + l * 1.25, (ARRAY[0, 16])[1 + l %% 2]
FROM estimates_estimate e, generate_series(0, %(lines)s - 1) AS l
WHERE e.org_id = %(org)s
"""


def _logo() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (240, 80), "#1f5fbf").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def seed() -> tuple[Organization, Any, int]:
    """The organization, its admin, N estimates (reused when present) and the measured estimate's id."""
    from bench.clients import world_ensure
    from portico.accounts.models import User
    from portico.clients.models import Client as ClientRecord
    from portico.estimates.actions import LineInput, estimate_create, estimate_send
    from portico.estimates.models import Estimate
    from portico.portal.actions import portal_settings_save
    from portico.portal.models import PortalSettings

    data = world_ensure(SLUG)
    org = data.org
    admin = User.objects.get(pk=data.admin_id)
    if not PortalSettings.objects.filter(org=org).exists():
        portal_settings_save(org=org, actor=Actor.system(), portal_name="Bench Renovations", sender_name=org.name)
    portal = PortalSettings.objects.get(org=org)
    if not portal.logo or not portal.logo.storage.exists(portal.logo.name):  # the media directory may be new
        portal.logo.save("bench-logo.png", _logo(), save=True)
    have = Estimate.objects.filter(org=org).count()
    if have != N + 1:
        print(
            f"estimates: loading {CLIENTS:,} clients and {N:,} estimates × {LINES} lines into '{SLUG}' (had {have:,})"
        )
        params: dict[str, Any] = {"org": org.pk, "admin": admin.pk, "currency": org.currency or "USD", "lines": LINES}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE estimates_estimate SET supersedes_id = NULL WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM estimates_estimate WHERE org_id = %s", [org.pk])
            cursor.execute("DELETE FROM estimates_estimatecounter WHERE org_id = %s", [org.pk])
            if not ClientRecord.objects.filter(org=org).exists():
                cursor.execute(CLIENTS_INSERT, {**params, "n": CLIENTS})
            cursor.execute(ESTIMATES_INSERT, {**params, "n": N})
            cursor.execute(LINES_INSERT, params)
            cursor.execute("INSERT INTO estimates_estimatecounter (org_id, last_number) VALUES (%s, %s)", [org.pk, N])
        with connection.cursor() as cursor:
            for table in ("clients_client", "estimates_estimate", "estimates_estimateline"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        record = ClientRecord.objects.filter(org=org).order_by("id").first()
        actor = Actor(kind="staff", user=admin)
        lines = [
            LineInput(
                description=f"Work item {i}: materials and labour for part {i} of the job",
                quantity=Decimal(i % 7 + 1),
                unit="h",
                unit_price=Decimal("37.40") + i,
                tax_rate=Decimal(16) if i % 2 else Decimal(0),
            )
            for i in range(1, 21)
        ]
        measured = estimate_create(
            org=org,
            actor=actor,
            client=record,
            scope="Renovate the kitchen: remove the old cabinets, fit new ones, tile and paint.",
            notes="Prices include materials. Work starts within two weeks of approval.",
            discount_kind="percent",
            discount_value=Decimal(5),
            lines=lines,
        )
        estimate_send(estimate=measured, actor=actor)
    measured_id = Estimate.objects.filter(org=org).order_by("-number").values_list("pk", flat=True).first()
    assert measured_id is not None
    return org, admin, measured_id


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    """Seed, then time the PDF download with run.py's ``_time`` (warm-up, repeats, p50/p95, queries)."""
    import time

    t0 = time.perf_counter()
    org, admin, estimate_id = seed()
    print(f"estimates: {N:,} estimates in '{SLUG}' ({time.perf_counter() - t0:.1f}s)")
    client = Client()
    client.force_login(admin)
    url = reverse("estimate_pdf", args=[org.slug, estimate_id])
    forget()
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF-"), "the PDF did not render"
    kept = client.get(url)
    assert kept.content == first.content, "the repeat download is not the kept PDF"
    measures = [
        measure_class("estimates.pdf", N, lambda c: c.get(url), before=forget),
        measure_class("estimates.pdf.cached", N, lambda c: c.get(url)),
    ]
    return [time_measure(m, client) for m in measures]


def forget() -> None:
    """Remove the kept PDFs of the bench organization (rows and files): the next download renders."""
    from portico.estimates.models import EstimatePdf

    rows = list(EstimatePdf.objects.filter(estimate__org__slug=SLUG))
    EstimatePdf.objects.filter(pk__in=[r.pk for r in rows]).delete()
    for row in rows:
        row.file.storage.delete(row.file.name)


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"estimates.pdf: the staff PDF download of one sent estimate with 20 line items (two tax rates, a 5 % "
        f"discount, the portal's logo) in an organization with {N:,} estimates of {LINES} lines each; signed in as "
        f"the admin, through the Django test client, rendered cold each time (WeasyPrint layout and PDF writing, "
        f"and keeping the file, included). Target p95 ≤ 400 ms. estimates.pdf.cached: the repeat download of the "
        f"same PDF, read from storage (kept per content hash, language and branding version; drafts never kept)."
    )
