"""The one error type that actions raise for refused operations.

Views and the API turn it into a clear message; nothing is changed when it is raised
because actions raise it before writing (or inside the atomic block, which rolls back).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class PorticoError(Exception):
    """A refused operation, with a translatable message for the user."""

    status_code = 400

    def __init__(self, message: str | Promise, *, code: str = "refused", extra: dict[str, Any] | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.extra = extra or {}


class InvalidTransition(PorticoError):
    """A state machine move that the transition table does not allow."""

    status_code = 409


class PermissionMissing(PorticoError):
    """The staff member's role lacks a permission; rendered as a 403 naming it."""

    status_code = 403

    def __init__(self, permission: str, label: str | Promise):
        super().__init__(label, code="permission_missing", extra={"permission": permission})
        self.permission = permission
        self.label = label
