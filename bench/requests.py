"""Client request benchmarks (`make bench`, PostgreSQL; `BENCH_ONLY=requests` runs only these).

The organization "requests-bench" gets BENCH_REQUEST_CLIENTS (default 10,000) clients and
N = BENCH_REQUEST_N (default 100,000) requests over them (statuses mixed, one every minute back
in time), inserted set-based (INSERT … SELECT generate_series). A navigator is assigned to every
tenth client and has BENCH_REQUEST_NOTIFICATIONS (default 20,000) notifications, a quarter unread.
Then, through the Django test client, signed in as the navigator:

- ``requests.inbox``: the inbox, "Assigned to me" (the navigator's ~10,000 requests);
- ``requests.inbox_all``: the inbox, "All" (the 100,000);
- ``notifications.bell``: the htmx bell partial (the unread count).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from portico.accounts.models import User
from portico.core.actors import Actor
from portico.orgs.models import Membership, Organization

N = int(os.environ.get("BENCH_REQUEST_N", "100000"))
CLIENTS = int(os.environ.get("BENCH_REQUEST_CLIENTS", "10000"))
NOTIFICATIONS = int(os.environ.get("BENCH_REQUEST_NOTIFICATIONS", "20000"))
SLUG = "requests-bench"
NAVIGATOR_EMAIL = f"navigator@{SLUG}.test"
ASSIGNED_EVERY = 10  # the navigator navigates every tenth client

CLIENTS_INSERT = """
INSERT INTO clients_client (org_id, kind, record_type, name, email, phone, date_of_birth, address, language,
    client_type_id, notes, tax_id, case_number, status, profile_id, image, thumbnail, created_at, created_by_id,
    deleted_at, deleted_by_id)
SELECT %(org)s, 'person', 'client', 'Request Client ' || g, 'asks' || g || '@example.test', '', NULL, '', 'en',
       NULL, '', '', 'REQ-B-' || lpad(g::text, 6, '0'), 'active', NULL, '', '', now() - g * interval '1 hour',
       %(admin)s, NULL, NULL
FROM generate_series(1, %(n)s) AS g
"""
ASSIGN_INSERT = """
INSERT INTO clients_navigatorassignment (client_id, user_id, assigned_at)
SELECT id, %(nav)s, now() FROM clients_client WHERE org_id = %(org)s AND id %% %(every)s = 0
"""
REQUESTS_INSERT = """
INSERT INTO client_requests_clientrequest (org_id, client_id, kind_id, subject, status, opened_by_id, created_at, last_activity_at)
SELECT %(org)s, c.ids[1 + g %% array_length(c.ids, 1)], (%(kinds)s::bigint[])[1 + g %% %(nk)s], 'Request ' || g,
       (ARRAY['open','waiting','answered','closed'])[1 + g %% 4], %(admin)s,
       now() - g * interval '1 minute' - interval '1 day', now() - g * interval '1 minute'
FROM generate_series(1, %(n)s) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM clients_client WHERE org_id = %(org)s) AS c
"""
NOTIFICATIONS_INSERT = """
INSERT INTO notifications_notification (org_id, recipient_id, kind, client_id, title, body, url, event_key,
    created_at, read_at)
SELECT %(org)s, %(nav)s, 'request_opened', NULL, 'A client made a request ' || g, '', '/', 'bench:' || g,
       now() - g * interval '1 minute', CASE WHEN g %% 4 = 0 THEN NULL ELSE now() END
FROM generate_series(1, %(n)s) AS g
"""


def request_kind_ids(org: Organization) -> list[int]:
    """The kinds clients may choose (an organization gets its defaults when it is created; one made
    by an older version of the app, in a database seeded earlier, gets them here)."""
    from portico.requests.actions import request_kinds_create_defaults
    from portico.requests.selectors import request_kinds

    kinds = list(request_kinds(org=org, offered_only=True).order_by("position", "pk").values_list("pk", flat=True))
    if not kinds and not request_kinds(org=org).exists():
        kinds = [k.pk for k in request_kinds_create_defaults(org=org, actor=Actor.system())]
    assert kinds, f"{org.slug}: no request kind is offered"
    return kinds


def seed() -> tuple[Organization, User]:
    """The organization, its navigator, CLIENTS clients and N requests (reused when present)."""
    from bench.clients import world_ensure
    from portico.orgs.actions import membership_add
    from portico.requests.models import ClientRequest
    from testing.world import user_create

    data = world_ensure(SLUG)
    org = data.org
    navigator = User.objects.filter(email=NAVIGATOR_EMAIL).first()
    if navigator is None:
        navigator = user_create(NAVIGATOR_EMAIL, name="Bench Navigator")
    if not Membership.objects.filter(org=org, user=navigator).exists():
        membership_add(org=org, user=navigator, role=org.roles.get(name="Navigator"), actor=Actor.system())
    kinds = request_kind_ids(org)
    have = ClientRequest.objects.filter(org=org).count()
    if have == N:
        return org, navigator
    print(f"requests: loading {CLIENTS:,} clients and {N:,} requests into '{SLUG}' (had {have:,} requests)")
    params: dict[str, Any] = {
        "org": org.pk,
        "admin": data.admin_id,
        "nav": navigator.pk,
        "every": ASSIGNED_EVERY,
        "kinds": kinds,
        "nk": len(kinds),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification WHERE org_id = %s", [org.pk])
        cursor.execute(
            "DELETE FROM client_requests_requestmessage WHERE client_request_id IN "
            "(SELECT id FROM client_requests_clientrequest WHERE org_id = %s)",
            [org.pk],
        )
        cursor.execute("DELETE FROM client_requests_clientrequest WHERE org_id = %s", [org.pk])
        cursor.execute(
            "DELETE FROM clients_navigatorassignment WHERE client_id IN (SELECT id FROM clients_client WHERE org_id = %s)",
            [org.pk],
        )
        cursor.execute("DELETE FROM clients_client WHERE org_id = %s", [org.pk])
        cursor.execute(CLIENTS_INSERT, {**params, "n": CLIENTS})
        cursor.execute(ASSIGN_INSERT, params)
        cursor.execute(REQUESTS_INSERT, {**params, "n": N})
        cursor.execute(NOTIFICATIONS_INSERT, {**params, "n": NOTIFICATIONS})
    with connection.cursor() as cursor:
        for table in (
            "clients_client",
            "clients_navigatorassignment",
            "client_requests_clientrequest",
            "notifications_notification",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return org, navigator


def run(time_measure: Callable[..., dict[str, Any]], measure_class: Callable[..., Any]) -> list[dict[str, Any]]:
    """Seed, then time the three pages with run.py's ``_time`` (warm-up, repeats, p50/p95, queries)."""
    import time

    t0 = time.perf_counter()
    org, navigator = seed()
    print(f"requests: {N:,} requests in '{SLUG}' ({time.perf_counter() - t0:.1f}s)")
    client = Client()
    client.force_login(navigator)
    inbox = reverse("request_inbox", args=[org.slug])
    bell = reverse("notification_bell", args=[org.slug])
    mine = client.get(inbox + "?scope=mine")
    assert mine.status_code == 200 and mine.content.count(b"<tr>") > 1, "the navigator's inbox is empty"
    measures = [
        measure_class("requests.inbox", N, lambda c: c.get(inbox + "?scope=mine")),
        measure_class("requests.inbox_all", N, lambda c: c.get(inbox + "?scope=all")),
        measure_class("notifications.bell", NOTIFICATIONS, lambda c: c.get(bell)),
    ]
    return [time_measure(m, client) for m in measures]


def note(results: list[dict[str, Any]]) -> str:
    return (
        f"requests.*, notifications.*: {N:,} requests over {CLIENTS:,} clients in one organization; the navigator is "
        f"assigned to every {ASSIGNED_EVERY}th client (about {N // ASSIGNED_EVERY:,} of the requests are theirs). "
        f'requests.inbox = their "Assigned to me" tab, requests.inbox_all = the "All" tab (first page, 25 rows, '
        f"client and kind joined); notifications.bell = the htmx bell partial over {NOTIFICATIONS:,} notifications "
        f"of theirs, a quarter unread. Signed in as the navigator, through the Django test client."
    )
