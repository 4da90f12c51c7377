"""The journey's part in events of the apps below it: every fact a step reads changes through
one of these signals, and the client's progress is re-derived (bulk invitations: set-based)."""

from __future__ import annotations

from typing import Any

from portico.agreements.models import AgreementState
from portico.agreements.signals import agreement_changed
from portico.clients.signals import client_contact_changed, client_leaving, client_returning
from portico.core.actors import Actor, ActorKind
from portico.estimates.signals import estimate_changed
from portico.invitations.signals import (
    invitation_accepted,
    invitation_revoked,
    invitation_sent,
    invitations_sent_bulk,
)
from portico.journey.actions import journey_refresh, journey_stop, journeys_start_bulk
from portico.journey.models import Journey
from portico.payments.models import PaymentMethodState
from portico.payments.signals import payment_method_changed
from portico.portal.enrollment import enrollment_step_register


def on_invitation_sent(sender: Any, client: Any, invitation: Any, actor: Actor, **kwargs: Any) -> None:
    journey_refresh(client=client, actor=actor)


def on_invitation_accepted(sender: Any, client: Any, invitation: Any, user: Any, **kwargs: Any) -> None:
    journey_refresh(client=client, actor=Actor(kind=ActorKind.CLIENT, user=user))


def on_invitation_revoked(sender: Any, client: Any, invitation: Any, actor: Actor, **kwargs: Any) -> None:
    # Back to "to invite again" when no other invitation stands.
    if Journey.objects.filter(client=client).exists():
        journey_refresh(client=client, actor=actor)


def on_invitations_sent_bulk(sender: Any, org: Any, client_ids: list[int], actor: Actor, **kwargs: Any) -> None:
    journeys_start_bulk(org=org, client_ids=list(client_ids), actor=actor)


def on_estimate_changed(sender: Any, estimate: Any, actor: Actor, **kwargs: Any) -> None:
    if estimate.client_id is not None:
        journey_refresh(client=estimate.client, actor=actor, start=False)


def on_agreement_changed(sender: Any, agreement: Any, actor: Actor, **kwargs: Any) -> None:
    # Only a signature (or a void after it) may move the journey; sent inside the agreement's
    # transaction. A draft, a send, a view or a void of an unsigned one cannot.
    # (The signature's instance has its new state; its signed_at may be written to the row only.)
    signed = agreement.state == AgreementState.SIGNED
    if not (signed or (agreement.state == AgreementState.VOIDED and agreement.signed_at is not None)):
        return
    journey_refresh(client=agreement.client, actor=actor, start=False)


def on_payment_method_changed(sender: Any, payment_method: Any, actor: Actor, **kwargs: Any) -> None:
    # Stripe's webhook made the method active, or one that was active failed or was removed. A
    # method being set up (pending), or one that failed before it was ever confirmed, cannot move it.
    state = payment_method.state
    if not (
        state == PaymentMethodState.ACTIVE
        or (
            state in (PaymentMethodState.REMOVED, PaymentMethodState.FAILED) and payment_method.confirmed_at is not None
        )
    ):
        return
    journey_refresh(client=payment_method.client, actor=actor, start=False)


def on_client_contact_changed(sender: Any, client: Any, actor: Actor, **kwargs: Any) -> None:
    # Invitations to the old address were revoked (the invitations app answers first).
    if Journey.objects.filter(client=client).exists():
        journey_refresh(client=client, actor=actor)


def on_client_leaving(sender: Any, client: Any, actor: Actor, reason: str, **kwargs: Any) -> None:
    journey_stop(client=client, actor=actor, reason=reason)


def on_client_returning(sender: Any, client: Any, actor: Actor, reason: str, **kwargs: Any) -> None:
    # Reopened, unarchived or restored: back on the board (at "to invite again" if its
    # invitations were revoked when it left).
    if Journey.objects.filter(client=client).exists():
        journey_refresh(client=client, actor=actor)


def journey_enrollment_done(account: Any) -> bool:
    """The portal's enrollment step: every journey of the records this person organizes in the
    organization is complete (no journey: nothing to finish)."""
    return not Journey.objects.filter(
        org_id=account.org_id,
        client__profile__organizer_id=account.user_id,
        client__deleted_at=None,
        completed_at=None,
        stopped_at=None,  # a closed record's unfinished journey is not waited for
    ).exists()


def connect() -> None:
    invitation_sent.connect(on_invitation_sent, dispatch_uid="journey_invitation_sent")
    invitation_accepted.connect(on_invitation_accepted, dispatch_uid="journey_invitation_accepted")
    invitation_revoked.connect(on_invitation_revoked, dispatch_uid="journey_invitation_revoked")
    invitations_sent_bulk.connect(on_invitations_sent_bulk, dispatch_uid="journey_invitations_sent_bulk")
    estimate_changed.connect(on_estimate_changed, dispatch_uid="journey_estimate_changed")
    agreement_changed.connect(on_agreement_changed, dispatch_uid="journey_agreement_changed")
    payment_method_changed.connect(on_payment_method_changed, dispatch_uid="journey_payment_method_changed")
    client_contact_changed.connect(on_client_contact_changed, dispatch_uid="journey_client_contact_changed")
    client_leaving.connect(on_client_leaving, dispatch_uid="journey_client_leaving")
    client_returning.connect(on_client_returning, dispatch_uid="journey_client_returning")
    enrollment_step_register("journey", journey_enrollment_done)
