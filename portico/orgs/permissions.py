"""The permission catalogue. Codes live in code; roles store lists of codes as data. A permission
is added with the page or action it guards, never before (one that guards nothing could still be
granted, and would mean nothing).

Adding a permission: add it to ``Permission`` with a label, give it help text in
``HELP`` and put it in a section of ``SECTIONS`` (a test checks all three agree).
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Permission(models.TextChoices):
    CLIENTS_VIEW = "clients.view", _("View clients")
    CLIENTS_CREATE = "clients.create", _("Create clients")
    CLIENTS_EDIT = "clients.edit", _("Edit clients")
    CLIENTS_DELETE = "clients.delete", _("Delete Clients")
    CLIENTS_CHANGE_CASE_NUMBER = "clients.change_case_number", _("Case Numbers")
    CLIENTS_CHANGE_STATUS = "clients.change_status", _("Change client status")
    PORTAL_CHANGE_STATUS = "portal.change_status", _("Change client portal status")
    GROUPS_MANAGE = "groups.manage", _("Manage groups")
    NAVIGATORS_ASSIGN = "navigators.assign", _("Assign navigators")
    INVITATIONS_SEND = "invitations.send", _("Client Account Invitations")
    REQUESTS_ANSWER = "requests.answer", _("Answer requests")
    LEADS_MANAGE = "leads.manage", _("Manage leads")
    ESTIMATES_MANAGE = "estimates.manage", _("Manage estimates")
    AGREEMENTS_MANAGE = "agreements.manage", _("Manage agreements")
    JOBS_MANAGE = "jobs.manage", _("Manage jobs")
    CUSTOMERS_VIEW = "customers.view", _("View customers")
    CUSTOMERS_MANAGE = "customers.manage", _("Manage customers")
    METRICS_MANAGE = "metrics.manage", _("Manage the metrics catalog")
    STAFF_MANAGE = "staff.manage", _("Manage staff")
    ROLES_MANAGE = "roles.manage", _("Manage roles")
    ORG_SETTINGS = "org.settings", _("Organization settings")
    AUDIT_VIEW = "audit.view", _("View audit log")
    MESSAGES_VIEW = "messages.view", _("View sent messages")


HELP: dict[str, Promise] = {
    Permission.CLIENTS_VIEW: _("See client records, their timeline and search results."),
    Permission.CLIENTS_CREATE: _("Create client and employee records."),
    Permission.CLIENTS_EDIT: _("Edit client records: contact data, client type, image, warning indicators."),
    Permission.CLIENTS_DELETE: _("Delete client records. Deleted records are kept and support can restore them."),
    Permission.CLIENTS_CHANGE_CASE_NUMBER: _("Change a record's case number."),
    Permission.CLIENTS_CHANGE_STATUS: _("Archive, deactivate, reactivate, close and reopen client records."),
    Permission.PORTAL_CHANGE_STATUS: _("Set a client's portal account to enrollment pending, active or banned."),
    Permission.GROUPS_MANAGE: _("Create groups and add or remove clients, one at a time or in bulk."),
    Permission.NAVIGATORS_ASSIGN: _("Assign and unassign navigators on client records."),
    Permission.INVITATIONS_SEND: _("Send, resend and revoke client portal invitations."),
    Permission.REQUESTS_ANSWER: _("Read and answer requests that clients send from the portal."),
    Permission.LEADS_MANAGE: _(
        "See the leads from the website (contact form, bookings, referrals), convert them to clients and disqualify them."
    ),
    Permission.ESTIMATES_MANAGE: _("Create, send and revise estimates, and download their PDF."),
    Permission.AGREEMENTS_MANAGE: _(
        "Write agreement templates; create, send and void agreements; download signed copies and their audit trail."
    ),
    Permission.JOBS_MANAGE: _(
        "See jobs, create them, assign them to staff and move them along (schedule, start, complete, cancel)."
    ),
    Permission.CUSTOMERS_VIEW: _("See the company customers catalog, its records and scores."),
    Permission.CUSTOMERS_MANAGE: _(
        "Create, complete, deactivate and activate customers, update their score and connect them to FreshBooks."
    ),
    Permission.METRICS_MANAGE: _("Manage the metrics catalog and update every customer's score."),
    Permission.STAFF_MANAGE: _("Invite staff members, change their role, deactivate and reactivate them."),
    Permission.ROLES_MANAGE: _("Create, edit and delete roles."),
    Permission.ORG_SETTINGS: _("Change the organization's settings, such as requiring two-factor authentication."),
    Permission.AUDIT_VIEW: _("Read and filter the organization's audit log."),
    Permission.MESSAGES_VIEW: _(
        "Read the messages the organization sent, with their delivery state, and retry failed ones."
    ),
}

SECTIONS: list[tuple[Promise, list[Permission]]] = [
    (
        _("Clients"),
        [
            Permission.CLIENTS_VIEW,
            Permission.CLIENTS_CREATE,
            Permission.CLIENTS_EDIT,
            Permission.CLIENTS_DELETE,
            Permission.CLIENTS_CHANGE_CASE_NUMBER,
            Permission.CLIENTS_CHANGE_STATUS,
            Permission.GROUPS_MANAGE,
            Permission.NAVIGATORS_ASSIGN,
        ],
    ),
    (_("Portal"), [Permission.PORTAL_CHANGE_STATUS, Permission.INVITATIONS_SEND, Permission.REQUESTS_ANSWER]),
    (
        _("Onboarding"),
        [Permission.LEADS_MANAGE, Permission.ESTIMATES_MANAGE, Permission.AGREEMENTS_MANAGE, Permission.JOBS_MANAGE],
    ),
    (_("Customers"), [Permission.CUSTOMERS_VIEW, Permission.CUSTOMERS_MANAGE, Permission.METRICS_MANAGE]),
    (
        _("Administration"),
        [
            Permission.STAFF_MANAGE,
            Permission.ROLES_MANAGE,
            Permission.ORG_SETTINGS,
            Permission.AUDIT_VIEW,
            Permission.MESSAGES_VIEW,
        ],
    ),
]

ALL: frozenset[str] = frozenset(Permission.values)

# Default roles for a new organization, named in its language: name -> permissions (None = every permission,
# including ones added in later releases).
DEFAULT_ROLES: dict[Promise, list[Permission] | None] = {
    _("Admin"): None,
    _("Navigator"): [
        Permission.CLIENTS_VIEW,
        Permission.CLIENTS_CREATE,
        Permission.CLIENTS_EDIT,
        Permission.CLIENTS_CHANGE_STATUS,
        Permission.PORTAL_CHANGE_STATUS,
        Permission.GROUPS_MANAGE,
        Permission.NAVIGATORS_ASSIGN,
        Permission.INVITATIONS_SEND,
        Permission.REQUESTS_ANSWER,
        Permission.LEADS_MANAGE,
        Permission.ESTIMATES_MANAGE,
        Permission.AGREEMENTS_MANAGE,
        Permission.JOBS_MANAGE,
        Permission.CUSTOMERS_VIEW,
    ],
    _("Sales"): [
        Permission.CLIENTS_VIEW,
        Permission.CLIENTS_CREATE,
        Permission.CLIENTS_EDIT,
        Permission.INVITATIONS_SEND,
        Permission.LEADS_MANAGE,
        Permission.ESTIMATES_MANAGE,
        Permission.AGREEMENTS_MANAGE,
        Permission.CUSTOMERS_VIEW,
        Permission.CUSTOMERS_MANAGE,
    ],
    _("Read-only"): [Permission.CLIENTS_VIEW, Permission.CUSTOMERS_VIEW],
}


def permission_check(code: str) -> Permission:
    """Return the Permission for ``code``; an unknown code is a programming error."""
    if code not in ALL:
        raise ValueError(f"Unknown permission {code!r}")
    return Permission(code)
