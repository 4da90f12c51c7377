"""After an import every customer is screened again: only those whose situation changed are
updated, audited and alerted, each once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor
from portico.customers.models import Customer
from portico.customers.screening_actions import screening_alerts_send
from portico.customers.tests.screening_factories import screened_customer_make as make
from portico.notifications.models import EventKind, Notification
from portico.orgs.actions import membership_add
from portico.sat69b.models import Sat69bImport
from portico.sat69b.tests.factories import list_bytes, sample_import
from testing.world import run_tasks, user_create


def _situation(customer: Customer) -> str:
    return Customer.objects.get(pk=customer.pk).sat69b_situation


def _alerts() -> list[tuple[str, int, str]]:
    return sorted(
        Notification.objects.filter(kind=EventKind.CUSTOMER_SCREENING_CHANGED).values_list(
            "recipient__email", "client_id", "title"
        )
    )


@pytest.fixture
def seller(org_a):
    user = user_create("seller@alpha.test", name="Sally Seller")
    membership_add(org=org_a.org, user=user, role=org_a.roles["Sales"], actor=Actor.system())
    return user


def test_only_changed_situations_are_updated_audited_and_alerted(org_a, org_b, seller):
    newly = make(org_a, rfc="CCO150312KLA", name="Newly Listed SA", owner=seller)
    moved = make(org_a, rfc="AAA190524M17", name="Moved SA", situation="presunto")
    same = make(org_a, rfc="ZAP110817H33", name="Same SA", situation="presunto")
    removed = make(org_a, rfc="GAM141120S79", name="Removed SA", situation="definitivo", owner=seller)
    clean = make(org_a, rfc="XAXX010101000", name="Clean SA")
    other = make(org_b, rfc="CCO150312KLA", name="Other Org SA")
    # The list now: CCO150312KLA presunto, AAA190524M17 definitivo, ZAP110817H33 presunto; GAM… is off it.
    imported = sample_import(
        list_bytes({"CCO150312KLA": "Presunto", "AAA190524M17": "Definitivo", "ZAP110817H33": "Presunto"})
    )
    assert imported.rescreened_changes == 4
    assert Sat69bImport.objects.get().rescreened_changes == 4
    assert _situation(newly) == "presunto"
    assert _situation(moved) == "definitivo"
    assert _situation(removed) == ""
    assert _situation(other) == "presunto"
    assert Customer.objects.get(pk=same.pk).sat69b_checked_at is None  # untouched
    assert _situation(clean) == ""
    audited = AuditEvent.objects.filter(action=AuditAction.CUSTOMER_SCREENING_CHANGED)
    assert sorted(audited.values_list("org_id", "target_id", "from_state", "to_state")) == sorted(
        [
            (org_a.org.pk, str(newly.pk), "", "presunto"),
            (org_a.org.pk, str(moved.pk), "presunto", "definitivo"),
            (org_a.org.pk, str(removed.pk), "definitivo", ""),
            (org_b.org.pk, str(other.pk), "", "presunto"),
        ]
    )
    assert set(audited.values_list("target_label", flat=True)) >= {"Newly Listed SA", "Moved SA"}
    # The worker tells the sales owner of their customers; customers without one go to every customers.manage holder.
    assert _alerts() == []
    run_tasks()
    alerts = _alerts()
    assert ("seller@alpha.test", newly.pk, "SAT 69-B: Newly Listed SA is listed as Presunto") in alerts
    assert ("seller@alpha.test", removed.pk, "SAT 69-B: Removed SA is no longer on the list") in alerts
    assert ("admin@alpha.test", moved.pk, "SAT 69-B: Moved SA is listed as Definitivo") in alerts
    assert ("admin@beta.test", other.pk, "SAT 69-B: Other Org SA is listed as Presunto") in alerts
    # The alert opens the customer's page (where the situation is shown), not the client record.
    note = Notification.objects.get(kind=EventKind.CUSTOMER_SCREENING_CHANGED, client_id=newly.pk)
    assert note.url == reverse("customer_detail", args=[org_a.org.slug, newly.pk])
    assert not [a for a in alerts if a[1] in (same.pk, clean.pk)]
    assert not [a for a in alerts if a[0] == "reader@alpha.test"]  # read-only: no customers.manage
    assert len(alerts) == 5  # the seller has customers.manage too: told about "moved"


def test_the_same_list_again_changes_nothing_and_alerts_nobody_twice(org_a):
    make(org_a, rfc="CCO150312KLA")
    first = sample_import()
    assert first.rescreened_changes == 1
    run_tasks()
    assert len(_alerts()) == 1
    second = sample_import()
    assert second.rescreened_changes == 0
    run_tasks()
    assert len(_alerts()) == 1
    assert AuditEvent.objects.filter(action=AuditAction.CUSTOMER_SCREENING_CHANGED).count() == 1


def test_a_retried_alert_task_tells_nobody_twice(org_a):
    make(org_a, rfc="CCO150312KLA")
    imported = sample_import()
    customer = Customer.objects.get()
    rows = [(customer.pk, org_a.org.pk, "", "presunto", None)]
    assert screening_alerts_send(sat69b_import_id=imported.pk, rows=rows) == 1
    assert screening_alerts_send(sat69b_import_id=imported.pk, rows=rows) == 0
    run_tasks()  # the task queued by the import: the same key, nobody told again
    assert len(_alerts()) == 1
