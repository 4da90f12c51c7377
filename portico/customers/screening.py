"""SAT 69-B screening of a customer's RFC at creation (seed 002: new records only), and what the
organization's policy says to do about a hit: warn, or block creation."""

from __future__ import annotations

from dataclasses import dataclass

from portico.accounts.models import User
from portico.customers.models import DEFAULT_SCREENING_POLICY, CustomerSettings, ScreeningAction
from portico.orgs.models import Membership, MembershipStatus, Organization
from portico.orgs.permissions import Permission
from portico.sat69b.models import Sat69bEntry
from portico.sat69b.selectors import sat69b_lookup


@dataclass(frozen=True)
class Screening:
    entry: Sat69bEntry | None  # None: the RFC is not on the list
    action: str = ""  # ScreeningAction for the entry's situation ("" when not listed)

    @property
    def listed(self) -> bool:
        return self.entry is not None

    @property
    def blocks(self) -> bool:
        return self.action == ScreeningAction.BLOCK


def screening_policy(*, org: Organization) -> dict[str, str]:
    """situation -> ScreeningAction for ``org`` (the defaults until it saves its own)."""
    saved = CustomerSettings.objects.filter(org=org).first()
    if saved is None:
        return dict(DEFAULT_SCREENING_POLICY)
    return {situation: saved.action_for(situation) for situation in DEFAULT_SCREENING_POLICY}


def screening_check(*, org: Organization, tax_id: str) -> Screening:
    """Look ``tax_id`` (compact) up in the SAT 69-B list; an EIN is never on it."""
    entry = sat69b_lookup(rfc=tax_id) if tax_id and not tax_id.isdigit() else None
    if entry is None:
        return Screening(entry=None)
    return Screening(entry=entry, action=screening_policy(org=org)[entry.situation])


def customer_managers(*, org_id: int) -> list[User]:
    """The organization's active staff whose role has customers.manage (who hear of a customer
    without a sales owner), in a stable order."""
    memberships = Membership.objects.filter(org_id=org_id, status=MembershipStatus.ACTIVE).select_related(
        "user", "role"
    )
    return sorted(
        (m.user for m in memberships if Permission.CUSTOMERS_MANAGE in m.role.permission_set and m.user.is_active),
        key=lambda user: (user.full_name, user.pk),
    )
