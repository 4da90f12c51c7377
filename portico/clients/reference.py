"""An organization's reference lists for client records (client types, warning indicators, groups,
active staff), cached per process and keyed by ``Organization.reference_version``.

Every page that shows a record's drop-downs needs them; they change rarely. The organization row
(with its version) is already loaded with the member's permissions on every organization page, so
a cache hit costs no query at all; every action that changes one of the lists bumps the version
(``orgs.models.org_reference_changed``), so no process shows a stale list.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from portico.clients.models import ClientType, Group, WarningIndicator
from portico.orgs.models import Membership, MembershipStatus, Organization

MAX_ORGS = 256  # organizations kept per process


@dataclass(frozen=True)
class WarningRef:
    id: int
    label: str
    colour: str
    icon: str


@dataclass(frozen=True)
class ClientReference:
    client_types: tuple[tuple[int, str], ...]
    warnings: tuple[WarningRef, ...]
    groups: tuple[tuple[int, str], ...]
    staff: tuple[tuple[int, str], ...]  # (user id, name) of active staff: who can be a navigator


_cache: OrderedDict[tuple[int, str, int], ClientReference] = OrderedDict()
_lock = threading.Lock()


def client_reference(*, org: Organization) -> ClientReference:
    # The creation time tells apart two organizations that got the same id (a restored database).
    key = (org.pk, org.created_at.isoformat(), org.reference_version)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    staff = (
        Membership.objects.filter(org=org, status=MembershipStatus.ACTIVE)
        .order_by("user__full_name", "user__email")
        .values_list("user_id", "user__full_name", "user__email")
    )
    reference = ClientReference(
        client_types=tuple(ClientType.objects.filter(org=org).values_list("pk", "name")),
        warnings=tuple(
            WarningRef(*row)
            for row in WarningIndicator.objects.filter(org=org).values_list("pk", "label", "colour", "icon")
        ),
        groups=tuple(Group.objects.filter(org=org).order_by("name").values_list("pk", "name")),
        staff=tuple((user_id, full_name or email) for user_id, full_name, email in staff),
    )
    with _lock:
        _cache[key] = reference
        while len(_cache) > MAX_ORGS:
            _cache.popitem(last=False)
    return reference


def client_reference_forget() -> None:
    """Empty this process's cache (tests start from a clean slate)."""
    with _lock:
        _cache.clear()
