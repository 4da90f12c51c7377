"""The journey's steps: an ordered registry. Each step says what it is called, whether it belongs
in a client's journey (read when the journey starts, then frozen), and when it was done, read
from facts other apps keep. Part 1 registers invite, account and estimate; part 2 registers the
agreement and the payment method with ``step_register`` and changes nothing else: the
settings offer every optional step, the board gets a column, the funnel a row, the portal's
checklist an item.

``progress_derive`` is the one derivation of a client's progress from those facts;
``actions.journey_refresh`` stores what it says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portico.agreements.models import Agreement, AgreementState, AgreementTemplate
from portico.clients.models import Client
from portico.estimates.models import Estimate, EstimateState
from portico.invitations.models import Invitation, InvitationStatus
from portico.journey.models import COMPLETE, DIRECT
from portico.leads.models import Lead
from portico.payments.models import PaymentMethod, PaymentMethodState, StripeAccount
from portico.portal.models import PortalAccount


@dataclass(frozen=True)
class Step:
    key: str
    position: int  # order in the journey (gaps leave room for later steps)
    label: Promise  # the step's name ("Portal account")
    waiting: Promise  # a board column: who is at this step ("Invited, no account yet")
    todo: Promise  # the client's checklist item ("Create your portal account")
    done_at: Callable[[Client], dt.datetime | None]  # when it was done, from facts; None: not yet
    # Offered in the journey settings (the organization chooses); not optional: always in.
    optional: bool = False
    # Whether it belongs in this client's journey, asked once when the journey starts.
    applies: Callable[[Client, dt.datetime], bool] = field(default=lambda client, started: True)
    remind: bool = True  # reminders make sense while a client is at it


_steps: dict[str, Step] = {}


def step_register(step: Step) -> None:
    """Add a step (registering a key again replaces it)."""
    _steps[step.key] = step


def step_unregister(key: str) -> None:
    _steps.pop(key, None)


def steps_all() -> list[Step]:
    return sorted(_steps.values(), key=lambda s: (s.position, s.key))


def step_get(key: str) -> Step | None:
    return _steps.get(key)


def steps_optional() -> list[Step]:
    return [s for s in steps_all() if s.optional]


def step_label(key: str) -> str:
    if key == COMPLETE:
        return str(_("Complete"))
    step = _steps.get(key)
    return str(step.label) if step else key


# --- facts: what each part-1 step reads ---


def first_invitation_at(client: Client) -> dt.datetime | None:
    """When the client's first portal invitation was sent: the journey starts then."""
    return (
        Invitation.objects.filter(client=client)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )


def _invited_at(client: Client) -> dt.datetime | None:
    # An invitation that still stands (pending, expired: a reminder sends a fresh link) or was
    # accepted. Only revoked ones (the address changed, staff took it back): to invite again.
    return (
        Invitation.objects.filter(client=client)
        .exclude(status=InvitationStatus.REVOKED)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
        .first()
    )


def _account_at(client: Client) -> dt.datetime | None:
    """The portal account, in the client's organization, of the person who organizes its profile."""
    return (
        PortalAccount.objects.filter(org_id=client.org_id, user__organized_profiles__client_records=client)
        .values_list("created_at", flat=True)
        .first()
    )


def _estimate_approved_at(client: Client) -> dt.datetime | None:
    return (
        Estimate.objects.filter(client=client, state=EstimateState.APPROVED)
        .order_by("decided_at", "pk")
        .values_list("decided_at", flat=True)
        .first()
    )


def _estimate_before(client: Client, started: dt.datetime) -> bool:
    """Seed 003: an estimate attached before the invitation was sent adds the estimate step."""
    return Estimate.objects.filter(client=client, created_at__lte=started).exists()


INVITE = Step(
    key="invite",
    position=10,
    label=_("Portal invitation"),
    waiting=_("To invite again"),
    todo=_("Accept your invitation"),
    done_at=_invited_at,
    remind=False,  # no standing invitation: staff invite again (there is nothing to remind of)
)
ACCOUNT = Step(
    key="account",
    position=20,
    label=_("Portal account"),
    waiting=_("Invited, no account yet"),
    todo=_("Create your portal account"),
    done_at=_account_at,
)
ESTIMATE = Step(
    key="estimate",
    position=30,
    label=_("Estimate approval"),
    waiting=_("Estimate to approve"),
    todo=_("Review and approve your estimate"),
    done_at=_estimate_approved_at,
    optional=True,
    applies=_estimate_before,
)
for _step in (INVITE, ACCOUNT, ESTIMATE):
    step_register(_step)


# --- facts: what each part-2 step reads ---


AGREEMENT_SENT_STATES = [AgreementState.SENT, AgreementState.SIGNED]


def _agreement_signed_at(client: Client) -> dt.datetime | None:
    """When the client signed their agreement. A voided one, even voided after it was signed, no
    longer counts: the step is undone until a new agreement is signed."""
    return (
        Agreement.objects.filter(client=client, state=AgreementState.SIGNED, signed_at__isnull=False)
        .order_by("signed_at", "pk")
        .values_list("signed_at", flat=True)
        .first()
    )


def template_in_use_at(started: Any) -> Q:
    """Agreement templates in use when a journey started (made before it, not archived by then)."""
    return Q(created_at__lte=started) & (Q(archived_at=None) | Q(archived_at__gt=started))


def _agreement_applies(client: Client, started: dt.datetime) -> bool:
    """The organization had an agreement template in use when the journey started, or the client
    already has an agreement sent to them (made by hand)."""
    return (
        AgreementTemplate.objects.filter(template_in_use_at(started), org_id=client.org_id).exists()
        or Agreement.objects.filter(client=client, state__in=AGREEMENT_SENT_STATES).exists()
    )


def _payment_method_at(client: Client) -> dt.datetime | None:
    """When the client's payment method became active. An ACH account waiting for its
    microdeposits is pending and does not count until Stripe's webhook makes it active."""
    return (
        PaymentMethod.objects.filter(client=client, state=PaymentMethodState.ACTIVE, confirmed_at__isnull=False)
        .order_by("confirmed_at", "pk")
        .values_list("confirmed_at", flat=True)
        .first()
    )


def stripe_connected_at(started: Any) -> Q:
    return Q(connected_at__lte=started)


def _stripe_connected(client: Client, started: dt.datetime) -> bool:
    """The organization had connected its Stripe account when the journey started."""
    return StripeAccount.objects.filter(stripe_connected_at(started), org_id=client.org_id).exists()


AGREEMENT = Step(
    key="agreement",
    position=40,
    label=_("Service agreement"),
    waiting=_("Agreement to sign"),
    todo=_("Sign your service agreement"),
    done_at=_agreement_signed_at,
    optional=True,
    applies=_agreement_applies,
)
PAYMENT = Step(
    key="payment",
    position=50,
    label=_("Payment method"),
    waiting=_("Payment method to add"),
    todo=_("Add a payment method (card or bank account)"),
    done_at=_payment_method_at,
    optional=True,
    applies=_stripe_connected,
)
for _step in (AGREEMENT, PAYMENT):
    step_register(_step)


# --- the derivation ---


@dataclass
class Progress:
    """A client's journey as the facts say it is."""

    steps: list[str]
    started_at: dt.datetime
    current_step: str
    step_entered_at: dt.datetime
    reached: dict[str, str]  # step key -> ISO time
    completed_at: dt.datetime | None
    source: str
    lead_created_at: dt.datetime | None

    def comparable(self) -> tuple[object, ...]:
        return (
            self.steps,
            self.started_at,
            self.current_step,
            self.step_entered_at,
            self.reached,
            self.completed_at,
            self.source,
            self.lead_created_at,
        )


def journey_steps_choose(client: Client, started: dt.datetime, optional: list[str]) -> list[str]:
    """The steps of a journey starting now: every required step, the optional ones the
    organization chose, each only if it applies to this client."""
    return [s.key for s in steps_all() if (not s.optional or s.key in optional) and s.applies(client, started)]


def lead_of(client: Client) -> tuple[str, dt.datetime | None]:
    """(source, when) of the lead the client came from (the first), or ("direct", None)."""
    row = Lead.objects.filter(client=client).order_by("created_at", "pk").values_list("source", "created_at").first()
    return (row[0], row[1]) if row else (DIRECT, None)


def progress_derive(client: Client, steps: list[str], started_at: dt.datetime) -> Progress:
    """The progress along ``steps`` from the facts: each step's done time; the current step is
    the first not done (it was entered when the step before it was done, or at the start); the
    journey is complete when all are done, at the last of those times."""
    reached: dict[str, dt.datetime] = {}
    for key in steps:
        step = _steps.get(key)
        at = step.done_at(client) if step is not None else None
        if at is not None:
            reached[key] = at
    current, entered = COMPLETE, started_at
    previous_at = started_at
    for key in steps:
        if key not in reached:
            current, entered = key, previous_at
            break
        previous_at = max(previous_at, reached[key])
    completed_at = None
    if current == COMPLETE:
        completed_at = max([started_at, *reached.values()])
        entered = completed_at
    source, lead_at = lead_of(client)
    return Progress(
        steps=list(steps),
        started_at=started_at,
        current_step=current,
        step_entered_at=entered,
        reached={key: at.isoformat() for key, at in reached.items()},
        completed_at=completed_at,
        source=source,
        lead_created_at=lead_at,
    )
