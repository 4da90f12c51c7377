"""Every list page answers with a fixed number of queries, the same for 2 rows and for 20+.

Each organization page costs 3 before the view's own: session, user, and the user's active
memberships joined with organization and role (the current one, and the switcher's list)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.actions import audit_record
from portico.core.actors import Actor
from portico.orgs.actions import membership_add, role_create, staff_invitation_send
from portico.outbox.actions import outbox_enqueue
from testing.world import World, user_create

BASE = 3  # session, user, the user's active memberships with org and role (also feeds the org switcher)


def _grow_roles(w: World, ids: range) -> None:
    for i in ids:
        role_create(org=w.org, actor=Actor.system(), name=f"R{i}", permissions=["clients.view"])


def _grow_staff(w: World, ids: range) -> None:
    for i in ids:
        membership_add(org=w.org, user=user_create(f"s{i}@alpha.test"), role=w.roles["Sales"], actor=Actor.system())
        staff_invitation_send(
            org=w.org, actor=Actor(kind="staff", user=w.admin), email=f"i{i}@x.test", role=w.roles["Sales"]
        )


def _grow_audit(w: World, ids: range) -> None:
    for i in ids:
        audit_record(org=w.org, actor=Actor(kind="staff", user=w.admin), action="role.changed", target_label=f"e{i}")


def _grow_messages(w: World, ids: range) -> None:
    for i in ids:
        outbox_enqueue(org=w.org, channel="email", to=f"m{i}@x.test", idempotency_key=f"m{i}", subject=f"S{i}")


LISTS: list[tuple[str, Callable[[World, range], None], int]] = [
    ("role_list", _grow_roles, BASE + 1),  # roles with active-member counts (one aggregate)
    ("staff_list", _grow_staff, BASE + 2),  # memberships+users+roles; pending invitations+roles+inviters
    ("audit_log", _grow_audit, BASE + 2),  # the "Who" filter's staff list; one keyset page of events
    ("message_list", _grow_messages, BASE + 1),  # one keyset page of messages (bodies deferred)
]


@pytest.mark.parametrize(("url_name", "grow", "expected"), LISTS, ids=[row[0] for row in LISTS])
def test_list_pages_use_a_fixed_number_of_queries(client, org_a, url_name, grow, expected):
    client.force_login(org_a.admin)
    url = reverse(url_name, args=["alpha"])
    grow(org_a, range(2))
    client.get(url)  # the first request of a session writes it; measure the steady state

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries), "\n".join(q["sql"][:120] for q in ctx.captured_queries)

    few, _ = count()
    grow(org_a, range(2, 22))
    many, sqls = count()
    assert (few, many) == (expected, expected), sqls
