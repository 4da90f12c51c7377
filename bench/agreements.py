"""Agreement benchmarks (`make bench`, PostgreSQL; `BENCH_ONLY=onboarding` with the other
onboarding modules).

The organization "agreements-bench" gets one client who joined the portal and consented to
electronic records, and BENCH_AGREEMENT_N (default 1,000) signed agreements of earlier runs and
seeding. Then, timed per run:

- ``agreements.sign``: a 3-page agreement made and sent (its PDF rendered by WeasyPrint and hashed,
  ``agreement_sent_make``: the agreements core's create + send), signed by the client
  (``agreement_sign``: consent, hash and state checks, the chain event), then sealed
  (``agreement_seal``: the audit certificate page rendered, appended to the document's bytes as an
  incremental update, the PDF signature with the installation's certificate, storing it, the chain
  events, the signed copy put in the outbox for the client and staff). No timestamp authority
  (a network round trip of its own). Target p95 ≤ 1.5 s.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

N = int(os.environ.get("BENCH_AGREEMENT_N", "1000"))
SLUG = "agreements-bench"
_PARAGRAPH = (
    "<p>The contractor will carry out the work described in the approved estimate with due care and skill, "
    "using materials of the quality stated there, and will keep the site clean and safe while working. The "
    "client will give access to the property at the agreed times and pay the amounts due within fourteen "
    "days of each invoice. Changes to the scope are agreed in writing before the work they concern.</p>"
)
# Three A4 pages (run() checks and reports the count): headings and 18 paragraphs of agreement text.
CLAUSES = int(os.environ.get("BENCH_AGREEMENT_CLAUSES", "6"))
BODY = "".join(f"<h2>Clause {n}</h2>{_PARAGRAPH * 3}" for n in range(1, CLAUSES + 1))
PAGES: list[int] = []  # the measured agreement's page count, for the note


def _seal_ready() -> None:
    """The installation's seal certificate, or (a fresh bench machine) a self-signed one in a temp dir."""
    from portico.agreements.seal import (
        SealNotConfigured,
        seal_certificate_make,
        seal_certificate_write_pem,
        seal_key_load,
    )

    try:
        seal_key_load()
    except SealNotConfigured:
        directory = Path(tempfile.mkdtemp(prefix="portico-bench-seal-"))
        key, cert = seal_certificate_make("Bench document seal")
        seal_certificate_write_pem(key, cert, cert_file=directory / "cert.pem", key_file=directory / "key.pem")
        settings.AGREEMENT_SEAL_PKCS12_FILE = ""
        settings.AGREEMENT_SEAL_CERT_FILE, settings.AGREEMENT_SEAL_KEY_FILE = (
            directory / "cert.pem",
            directory / "key.pem",
        )
    settings.AGREEMENT_TSA_URL = ""


def seed() -> tuple[Any, Any, Any]:
    """(world, client record, person): the organization, its consenting client, N signed agreements."""
    from bench.clients import world_ensure
    from portico.accounts.models import User
    from portico.agreements.models import Agreement
    from portico.agreements.selectors_portal import consent_standing
    from portico.agreements.tests.signing_helpers import consent
    from portico.clients.models import Client as ClientRecord
    from portico.estimates.tests.factories import joined
    from portico.orgs.models import Role
    from testing.world import World

    _seal_ready()
    data = world_ensure(SLUG)
    org = data.org
    admin = User.objects.get(pk=data.admin_id)
    readonly = User.objects.filter(memberships__org=org).exclude(pk=admin.pk).first() or admin
    world = World(org=org, admin=admin, readonly=readonly, roles={r.name: r for r in Role.objects.filter(org=org)})
    record = ClientRecord.objects.filter(org=org, email="signer@agreements-bench.test").first()
    if record is None:
        record, person = joined(world, "Bench Signer", "signer@agreements-bench.test")
    else:
        person = User.objects.get(organized_profiles__client_records=record)
    if consent_standing(org=org, user=person) is None:
        consent(world, person)
    have = Agreement.objects.filter(org=org).count()
    if have < N:
        print(f"agreements: signing {N - have:,} agreements in '{SLUG}' (had {have:,})")
        for _ in range(N - have):
            _sign_one(world, record, person, seal=False)
    return world, record, person


def _sign_one(world: Any, record: Any, person: Any, *, seal: bool = True) -> Any:
    from portico.agreements.signing import agreement_seal
    from portico.agreements.tests.factories import agreement_sent_make
    from portico.agreements.tests.signing_helpers import sign

    agreement = agreement_sent_make(world, client=record, person=person, body=BODY)
    sign(agreement, person)
    if seal:
        agreement_seal(agreement=agreement)
    return agreement


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    import io
    import time

    from pyhanko.pdf_utils.reader import PdfFileReader

    from portico.agreements.seal import pdf_check

    t0 = time.perf_counter()
    world, record, person = seed()
    print(f"agreements: {N:,} agreements in '{SLUG}' ({time.perf_counter() - t0:.1f}s)")
    first = _sign_one(world, record, person)
    first.refresh_from_db()
    with first.signed_document.open("rb") as f:
        sealed = f.read()
    with first.document.open("rb") as f:
        pages = int(PdfFileReader(io.BytesIO(f.read())).root["/Pages"]["/Count"])
    PAGES.append(pages)
    if pages != 3:
        print(f"agreements: the agreement has {pages} pages, not 3: set BENCH_AGREEMENT_CLAUSES (now {CLAUSES})")
    assert pdf_check(sealed).ok, "the sealed agreement does not verify"
    measures = [measure_class("agreements.sign", N, lambda c: _sign_one(world, record, person), page=False)]
    return [time_measure(m, None) for m in measures]


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"agreements.sign: one {PAGES[0] if PAGES else 3}-page agreement ({CLAUSES} clauses) made and sent — its PDF rendered by WeasyPrint and "
        f"hashed — then signed by a client who consented (consent, state and hash checks, the chain event, the "
        f"navigators' notification) and sealed: the audit certificate page rendered, appended to the document's "
        f"exact bytes as an incremental update, PDF-signed with the installation's RSA-2048 certificate (pyHanko, "
        f"no timestamp authority), stored with its SHA-256, the signed copy put in the outbox for the client and "
        f"staff; in an organization with {N:,} signed agreements. Target p95 ≤ 1.5 s."
    )
