"""Every action is declared with ``@action`` (so its writes are checked for their audit row), and
the check itself works: an action that writes without an audit row fails before it commits."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.db import transaction

import portico
from portico.audit.actions import audit_record
from portico.audit.decorators import ACTIONS, UnauditedWrite, action
from portico.audit.models import AuditAction
from portico.clients.models import Group
from portico.core.actors import Actor
from portico.invitations.actions import invitation_accept
from portico.orgs.actions import staff_invitation_accept

# Modules whose public functions change state. The audit app's own writers record the rows
# every action needs, and are not actions themselves.
ACTION_MODULES = ("actions", "bulk", "runner", "delivery", "signing", "screening_actions")
RECORDERS = {"portico.audit.actions"}


def _action_modules():
    for app in pkgutil.iter_modules(portico.__path__):
        for name in ACTION_MODULES:
            module_name = f"portico.{app.name}.{name}"
            if module_name in RECORDERS:
                continue
            try:
                yield importlib.import_module(module_name)
            except ModuleNotFoundError:
                continue


def test_every_public_function_of_an_actions_module_is_a_declared_action():
    undeclared = []
    for module in _action_modules():
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if not hasattr(fn, "action_info"):
                undeclared.append(f"{module.__name__}.{name}")
    # The bulk modules' read helpers (counts, result pages) are not actions.
    reads = {
        "portico.invitations.bulk.bulk_invitation_count",
        "portico.invitations.bulk.bulk_invitation_outcomes",
        "portico.invitations.bulk.bulk_invitation_results",
        "portico.invitations.bulk.register",
        "portico.clients.bulk.register",
        "portico.outbox.delivery.enqueue_delivery",
        "portico.outbox.delivery.enqueue_delivery_many",
        "portico.outbox.delivery.outbox_backoff",
        "portico.outbox.delivery.outbox_label",
        "portico.outbox.actions.outbox_message_new",
    }
    assert sorted(set(undeclared) - reads) == []


def test_actions_take_keyword_arguments_only():
    with pytest.raises(TypeError, match="keyword arguments only"):

        @action
        def thing_change(thing: object, *, actor: Actor) -> None:  # a positional parameter
            pass


def test_an_action_that_writes_nothing_audited_must_say_why():
    with pytest.raises(TypeError, match="why"):

        @action(audited=False)
        def thing_touch(*, thing: object) -> None:
            pass


def test_an_action_that_writes_without_an_audit_row_fails_and_changes_nothing(org_a):
    @action
    def group_rename_silently(*, group: Group, name: str) -> None:
        Group.objects.filter(pk=group.pk).update(name=name)

    group = Group.objects.create(org=org_a.org, name="Before")
    with pytest.raises(UnauditedWrite, match="group_rename_silently wrote"):
        group_rename_silently(group=group, name="After")
    assert Group.objects.get(pk=group.pk).name == "Before"  # rolled back


def test_the_same_action_with_its_audit_row_passes(org_a):
    @action
    def group_rename(*, group: Group, name: str, actor: Actor) -> None:
        Group.objects.filter(pk=group.pk).update(name=name)
        audit_record(org=group.org_id, actor=actor, action=AuditAction.GROUP_CREATED, target=group)

    group = Group.objects.create(org=org_a.org, name="Before")
    group_rename(group=group, name="After", actor=Actor.system())
    assert Group.objects.get(pk=group.pk).name == "After"


def test_a_declared_unaudited_action_may_write(org_a):
    @action(audited=False, why="a test")
    def group_touch(*, group: Group) -> None:
        Group.objects.filter(pk=group.pk).update(name="Touched")

    group = Group.objects.create(org=org_a.org, name="Before")
    group_touch(group=group)
    assert Group.objects.get(pk=group.pk).name == "Touched"


def test_the_registry_knows_every_declared_action():
    assert "portico.clients.actions.client_create" in ACTIONS
    assert ACTIONS["portico.outbox.delivery.outbox_deliver_batch"].tx == "own"
    assert ACTIONS["portico.outbox.actions.outbox_enqueue"].tx == "caller"


@pytest.mark.django_db
def test_accepting_an_invitation_must_be_the_outermost_transaction():
    # Spending a one-time link and signing the person in must not ride inside a bigger transaction
    # that could still roll back after the person was told it worked.
    assert ACTIONS["portico.invitations.actions.invitation_accept"].tx == "durable"
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        staff_invitation_accept(raw_token="unused", actor=Actor.system())
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        invitation_accept(raw_token="unused", actor=Actor.system())
