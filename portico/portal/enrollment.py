"""The organization's enrollment steps: what a client must finish before their portal account
leaves "enrollment pending" by itself.

The portal app does not know the steps; the apps above it register them (the onboarding journey:
estimate approved, agreement signed, payment method saved, ...). A step is a function of the
portal account that says whether it is done. With no step registered, enrollment completes when
the account is created. When a fact a step reads changes, its app calls
``portal_account_enrollment_check`` so the account moves on by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portico.portal.models import PortalAccount

EnrollmentStep = Callable[["PortalAccount"], bool]

_steps: dict[str, EnrollmentStep] = {}


def enrollment_step_register(name: str, done: EnrollmentStep) -> None:
    """Add a step (from an app's ``AppConfig.ready``). Registering a name again replaces it."""
    _steps[name] = done


def enrollment_step_unregister(name: str) -> None:
    _steps.pop(name, None)


def enrollment_steps() -> list[str]:
    return list(_steps)


def enrollment_complete(account: PortalAccount) -> bool:
    """Whether every registered step is done for ``account`` (true when none is registered)."""
    return all(done(account) for done in _steps.values())
