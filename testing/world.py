"""Test helpers: two organizations built through actions, and an in-process task runner."""

from __future__ import annotations

import re
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core import mail
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from portico.accounts.models import User
from portico.core.actors import Actor
from portico.orgs.actions import membership_add, org_create
from portico.orgs.models import Membership, Organization, Role

PASSWORD = "correct-horse-battery-staple"  # noqa: S105 (test accounts only)


@dataclass
class World:
    """One organization: an admin (every permission), a read-only staff member, and roles by name."""

    org: Organization
    admin: User
    readonly: User
    roles: dict[str, Role]

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(org=self.org, user=user)


def user_create(email: str, *, name: str = "", operator: bool = False) -> User:
    user = User.objects.create_user(
        email, PASSWORD, full_name=name or email.split("@")[0].title(), is_operator=operator
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def world_create(slug: str) -> World:
    admin = user_create(f"admin@{slug}.test", name=f"{slug.title()} Admin")
    readonly = user_create(f"reader@{slug}.test", name=f"{slug.title()} Reader")
    org = org_create(name=f"{slug.title()} Org", slug=slug, actor=Actor.system(), admin_user=admin)
    roles = {role.name: role for role in Role.objects.filter(org=org)}
    membership_add(org=org, user=readonly, role=roles["Read-only"], actor=Actor.system())
    return World(org=org, admin=admin, readonly=readonly, roles=roles)


def run_tasks(limit: int = 100) -> int:
    """Run every ready django-tasks job in this process, as `db_worker --batch` would, but
    without the worker loop's connection recycling (which breaks a test's transaction)."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        task_result = DBTaskResult.objects.ready().order_by("-priority", "enqueued_at").first()
        if task_result is None:
            return ran
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
    return ran


def last_link(to: str, pattern: str = r"https?://\S+/join/\S+/") -> str:
    """The newest link matching ``pattern`` in mail delivered to ``to`` (Django's test outbox)."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.findall(pattern, str(message.body))
            if found:
                return found[-1]
    raise AssertionError(f"no mail with a link to {to}; outbox has {[m.to for m in mail.outbox]}")


def portal_set_up(world: World, **fields: object) -> object:
    """Set up ``world``'s client portal with defaults (invitations need it)."""
    from portico.portal.actions import portal_settings_save

    values = {"portal_name": f"{world.org.name} Portal", "sender_name": world.org.name, **fields}
    return portal_settings_save(org=world.org, actor=Actor.system(), **values)


def client_make(world: World, name: str = "Mark Client", **fields: object) -> object:
    """A client record of ``world`` (email mark@example.test unless given)."""
    from portico.clients.actions import client_create

    fields.setdefault("email", f"{name.split()[0].lower()}@example.test")
    return client_create(org=world.org, actor=Actor.system(), name=name, **fields)  # type: ignore[arg-type]
