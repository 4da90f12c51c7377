"""SAT 69-B screening actions of the customers catalog: the organization's policy (warn or block
per situation), and re-screening every customer after a new list is imported (run by the
``sat69b_imported`` receiver). Creation-time screening is ``screening.screening_check``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from portico.accounts.models import User
from portico.audit.actions import audit_record, audit_record_select
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import Client
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.customers.models import Customer, CustomerSettings, ScreeningAction
from portico.customers.screening import customer_managers, screening_policy
from portico.notifications.actions import Event, notify_user
from portico.notifications.models import EventKind
from portico.orgs.models import Membership, MembershipStatus, Organization
from portico.sat69b.models import Sat69bEntry, Sat69bImport, Situation

_CHUNK = 5000


@action
def customer_screening_policy_set(*, org: Organization, actor: Actor, policy: dict[str, str]) -> CustomerSettings:
    """Save what screening does for each situation (``ScreeningAction``): every situation must be given."""
    valid = set(ScreeningAction.values)
    if set(policy) != set(Situation.values) or not set(policy.values()) <= valid:
        raise PorticoError(_("Choose “warn” or “block” for each SAT 69-B situation."), code="invalid_policy")
    before = screening_policy(org=org)
    changed = {
        situation: [before[situation], choice] for situation, choice in policy.items() if before[situation] != choice
    }
    saved = CustomerSettings.objects.select_for_update().filter(org=org).first()
    if not changed:  # nothing to write (and no row made for the defaults)
        return saved or CustomerSettings(org=org)
    if saved is None:
        saved = CustomerSettings(org=org)
    for situation, choice in policy.items():
        setattr(saved, f"on_{situation}", choice)
    saved.save()
    audit_record(
        org=org,
        actor=actor,
        action=AuditAction.CUSTOMER_SCREENING_POLICY_CHANGED,
        target=saved,
        target_label=str(_("SAT 69-B screening policy")),
        detail={"changed": changed},
    )
    return saved


def _changed_rows() -> list[tuple[int, int, str, str, int | None]]:
    """(customer id, org id, situation recorded, situation listed now, sales owner id) of every
    customer of a live client record whose situation differs from the list's: one LEFT JOIN of the
    customers with the list on the RFC (the list's unique index), whatever the number of customers."""
    customer, client, entry = (m._meta.db_table for m in (Customer, Client, Sat69bEntry))
    sql = f"""
        SELECT cu.client_id, cu.org_id, cu.sat69b_situation, COALESCE(e.situation, ''), cu.sales_owner_id
        FROM {customer} cu
        JOIN {client} cl ON cl.id = cu.client_id
        LEFT JOIN {entry} e ON e.rfc = cl.tax_id
        WHERE cl.deleted_at IS NULL AND cu.sat69b_situation <> COALESCE(e.situation, '')
        ORDER BY cu.client_id
    """  # noqa: S608 (table names from the models, no values)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


@action
def customers_rescreen(*, sat69b_import: Sat69bImport, actor: Actor) -> int:
    """Screen every customer again against the list just imported. Each customer whose situation
    changed (newly listed, another situation, off the list) gets its new situation, an audit row
    (CUSTOMER_SCREENING_CHANGED, written set-based) and an alert to the staff who manage it: its
    sales owner, else the organization's staff with customers.manage. The alert's key names the
    customer and the import, so nobody is told twice. Returns how many customers changed."""
    rows = _changed_rows()
    if not rows:
        return 0
    now = timezone.now()
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for customer_id, org_id, _before, after, _owner in rows:
        groups[(org_id, after)].append(customer_id)
    for (org_id, after), ids in groups.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = Customer.objects.filter(pk__in=ids[start : start + _CHUNK])
            audit_record_select(
                org=org_id,
                actor=actor,
                action=AuditAction.CUSTOMER_SCREENING_CHANGED,
                targets=chunk,
                target_label=F("client__name"),
                from_state=F("sat69b_situation"),
                to_state=after,
                detail={"import": sat69b_import.pk},
            )
            chunk.update(sat69b_situation=after, sat69b_checked_at=now, updated_at=now)
    # The alerts wait for the worker (one notification each, with the person's channels): the task
    # row is written in this transaction, so they cannot be lost, and the import does not wait for them.
    screening_alerts_send_task.enqueue(sat69b_import.pk, [list(row) for row in rows])
    return len(rows)


@task()
def screening_alerts_send_task(sat69b_import_id: int, rows: list[list[Any]]) -> int:
    return screening_alerts_send(sat69b_import_id=sat69b_import_id, rows=[tuple(row) for row in rows])


@action(
    audited=False,
    why="each change was audited by customers_rescreen (CUSTOMER_SCREENING_CHANGED); notifications keep their own rows",
)
def screening_alerts_send(*, sat69b_import_id: int, rows: list[tuple[Any, ...]]) -> int:
    """Tell the staff who manage each re-screened customer (``rows`` as customers_rescreen found
    them: customer, org, before, after, sales owner). Run by the worker; the notification key names
    the customer and the import, so a retried task tells nobody twice. Returns how many were told."""
    sat69b_import = Sat69bImport.objects.filter(pk=sat69b_import_id).first()
    if sat69b_import is None:
        return 0
    orgs = Organization.objects.in_bulk({row[1] for row in rows})
    clients = Client.objects.only("id", "name", "org_id").in_bulk([row[0] for row in rows])
    owners = User.objects.in_bulk({row[4] for row in rows if row[4] is not None})
    members: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
        org_id__in=orgs, status=MembershipStatus.ACTIVE, user_id__in=owners
    ).values_list("org_id", "user_id"):
        members[org_id].add(user_id)
    managers: dict[int, list[User]] = {}
    told = 0
    labels = dict(Situation.choices)
    for customer_id, org_id, before, after, owner_id in rows:
        org, client = orgs.get(org_id), clients.get(customer_id)
        if org is None or client is None:  # deleted meanwhile
            continue
        if owner_id is not None and owner_id in members[org_id]:
            recipients = [owners[owner_id]]
        else:
            if org_id not in managers:
                managers[org_id] = customer_managers(org_id=org_id)
            recipients = managers[org_id]
        with translation.override(org.language):
            name = client.name
            if after:
                title = _("SAT 69-B: %(name)s is listed as %(situation)s") % {
                    "name": name,
                    "situation": labels[after],
                }
            else:
                title = _("SAT 69-B: %(name)s is no longer on the list") % {"name": name}
            body = _("Before: %(before)s. Now: %(after)s. Found when the list of %(date)s was imported.") % {
                "before": labels.get(before, _("not listed")),
                "after": labels.get(after, _("not listed")),
                "date": f"{sat69b_import.imported_at:%Y-%m-%d}",
            }
            event = Event(
                kind=EventKind.CUSTOMER_SCREENING_CHANGED,
                key=f"{EventKind.CUSTOMER_SCREENING_CHANGED}:{customer_id}:{sat69b_import.pk}",
                title=str(title),
                body=str(body),
                url=reverse("customer_detail", args=[org.slug, customer_id]),
            )
        for user in recipients:
            told += notify_user(org=org, user=user, event=event, client=client) is not None
    return told
