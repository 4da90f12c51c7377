"""The staff start page (`make bench`, PostgreSQL): ``web.start`` is ``/o/bench/`` as the bench
admin, over the organization "bench" with its N clients (bench/clients.py).

So that every block of the page has rows, the admin (who navigates about 1 % of the clients,
bench/clients.py) gets, inserted set-based after the client load:

- requests: one for every tenth client and one for each client they navigate (a quarter open),
  last activity spread over 90 days; reused while the client load is;
- BENCH_START_NOTIFICATIONS (default 2,000) notifications about their clients, a quarter unread;
- invitations for about a tenth of the clients whose status is "invite sent" (the portal is set
  up through the app's action), sent over the last 30 days, one in twenty bounced and one in fifty
  failed; a pending one sent 7 to 14 days ago expired this week.

Notifications and invitations are relative to now, so they are made again on every run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext

from bench.clients import Context
from portico.core.actors import Actor

NOTIFICATIONS = int(os.environ.get("BENCH_START_NOTIFICATIONS", "2000"))

REQUESTS_INSERT = """
INSERT INTO client_requests_clientrequest (org_id, client_id, kind_id, subject, status, opened_by_id, created_at,
    last_activity_at)
SELECT %(org)s, id, (%(kinds)s::bigint[])[1 + h %% %(nk)s], 'Consulta ' || id,
       (ARRAY['open','waiting','answered','closed'])[1 + (h / 7) %% 4], %(admin)s,
       now() - (h %% 129600) * interval '1 minute' - interval '1 day', now() - (h %% 129600) * interval '1 minute'
FROM (
    SELECT c.id, abs(hashint8(c.id + 4)::bigint) AS h,
           EXISTS (SELECT 1 FROM clients_navigatorassignment n WHERE n.client_id = c.id AND n.user_id = %(admin)s)
               AS mine
    FROM clients_client c WHERE c.org_id = %(org)s AND c.deleted_at IS NULL
) AS c
WHERE mine OR h %% 10 = 0
"""
NOTIFICATIONS_INSERT = """
INSERT INTO notifications_notification (org_id, recipient_id, kind, client_id, title, body, url, event_key,
    created_at, read_at)
SELECT %(org)s, %(admin)s, (ARRAY['request_opened','client_replied','invitation_accepted'])[1 + g %% 3],
       c.ids[1 + (g * 7919) %% array_length(c.ids, 1)], 'Novedad ' || g, '', '/', 'bench-start:' || g,
       now() - g * interval '3 minutes', CASE WHEN g %% 4 = 0 THEN NULL ELSE now() END
FROM generate_series(1, %(n)s) AS g,
     (SELECT array_agg(n.client_id ORDER BY n.client_id) AS ids FROM clients_navigatorassignment n
      JOIN clients_client c ON c.id = n.client_id WHERE c.org_id = %(org)s AND n.user_id = %(admin)s) AS c
"""
INVITATIONS_INSERT = """
INSERT INTO invitations_invitation (org_id, client_id, channel, address, status, sent_count, expires_at, delivery,
    delivery_at, last_message_id, opened_at, invited_by_id, accepted_by_id, accepted_at, ended_reason, bulk_job_id,
    created_at, sent_at)
SELECT %(org)s, id, 'email', email, 'pending', 1, sent_at + interval '7 days',
       CASE WHEN h %% 20 = 0 THEN 'bounced' WHEN h %% 50 = 1 THEN 'failed' ELSE 'delivered' END,
       sent_at + interval '2 minutes', NULL, NULL, %(admin)s, NULL, NULL, '', NULL, sent_at, sent_at
FROM (
    SELECT id, email, h, now() - (h %% 43200) * interval '1 minute' AS sent_at
    FROM (SELECT id, email, abs(hashint8(id + 3)::bigint) AS h FROM clients_client
          WHERE org_id = %(org)s AND deleted_at IS NULL AND status = 'invite_sent' AND email <> '') AS c
    WHERE (h / 13) %% 10 = 0
) AS c
"""


@dataclass
class StartData:
    requests: int
    notifications: int
    unread: int
    invitations: int


def seed(ctx: Context) -> StartData:
    from bench.clients import N, bench_meta
    from bench.requests import request_kind_ids
    from portico.portal.actions import portal_settings_save
    from portico.requests.models import ClientRequest

    org, admin = ctx.big.org, ctx.big.admin_id
    if not org.portal_enabled:  # the "bounced or expired" block shows only with a portal
        portal_settings_save(org=org, actor=Actor.system(), portal_name="Portal Bench", sender_name=org.name)
        org.refresh_from_db()
    kinds = request_kind_ids(org)
    params: dict[str, Any] = {"org": org.pk, "admin": admin, "kinds": kinds, "nk": len(kinds), "n": NOTIFICATIONS}
    with connection.cursor() as cursor:
        load = bench_meta(cursor, f"clients_load_{N}") or {}
        made_for = bench_meta(cursor, "start_requests") or {}
    requests = ClientRequest.objects.filter(org=org).count()
    if not requests or made_for.get("loaded_at") != load.get("loaded_at"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM client_requests_requestmessage WHERE client_request_id IN "
                "(SELECT id FROM client_requests_clientrequest WHERE org_id = %s)",
                [org.pk],
            )
            cursor.execute("DELETE FROM client_requests_clientrequest WHERE org_id = %s", [org.pk])
            cursor.execute(REQUESTS_INSERT, params)
            requests = cursor.rowcount
            bench_meta(cursor, "start_requests", {"loaded_at": load.get("loaded_at")})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM notifications_notification WHERE org_id = %s AND recipient_id = %s", [org.pk, admin]
        )
        cursor.execute(NOTIFICATIONS_INSERT, params)
        for table in ("invitations_invitationevent", "invitations_invitationlink"):
            cursor.execute(
                f"DELETE FROM {table} WHERE invitation_id IN (SELECT id FROM invitations_invitation WHERE org_id = %s)",
                [org.pk],
            )
        cursor.execute("DELETE FROM invitations_invitation WHERE org_id = %s", [org.pk])
        cursor.execute(INVITATIONS_INSERT, params)
        invitations = cursor.rowcount
    with connection.cursor() as cursor:
        for table in ("client_requests_clientrequest", "notifications_notification", "invitations_invitation"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    data = StartData(requests, NOTIFICATIONS, NOTIFICATIONS // 4, invitations)
    print(
        f"start page: {data.requests:,} requests, {data.notifications:,} notifications of the admin "
        f"({data.unread:,} unread), {data.invitations:,} invitations in '{org.slug}'"
    )
    return data


def block_queries(ctx: Context) -> dict[str, tuple[int, int]]:
    """Each block of the start page alone: (queries, rows). Asserts that every block has rows."""
    from portico.accounts.models import User
    from portico.web import selectors

    org, user = ctx.big.org, User.objects.get(pk=ctx.big.admin_id)
    org.refresh_from_db()
    blocks: dict[str, Callable[[], list[Any]]] = {
        "waiting_requests": lambda: selectors.my_waiting_requests(org=org, user=user),
        "client_news": lambda: selectors.my_clients_with_news(org=org, user=user),
        "invitations_trouble": lambda: selectors.invitations_in_trouble(org=org),
        "counts": lambda: [selectors.manager_counts(org=org)],
    }
    found = {}
    for name, read in blocks.items():
        with CaptureQueriesContext(connection) as captured:
            rows = read()
        found[name] = (len(captured), len(rows))
    empty = [name for name, (_q, rows) in found.items() if not rows]
    assert not empty, f"start page blocks without rows: {empty}"
    return found


def register(measure: Any, ctx: Context) -> None:
    def run_start(client: TestClient) -> object:
        return client.get(f"/o/{ctx.big.org.slug}/")

    measure("web.start", ctx.n_big)(run_start)
