"""Bulk portal invitations, set-based. The chosen clients (explicit ids, or "all N matching" a
client-list filter) are walked by id in chunks; each chunk is one short transaction with a fixed
number of statements whatever its size: one query loads (and locks) the chunk with what the
refusal check needs, Python classifies each client with the same ``invitation_refusal`` as a
single send, and everything else is a bulk INSERT or one UPDATE: invitations, links, outbox
messages (delivered in batches, see ``outbox_enqueue_many``), delivery events, the client status
move, audit rows and the job's result rows. Small selections run in the request; larger ones
in the worker, with progress for the page that polls it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from portico.audit.actions import audit_record, audit_record_select
from portico.audit.models import AuditAction
from portico.clients.bulk import _filters_from_json, _filters_to_json
from portico.clients.models import CLIENT_MACHINE, Client, ClientStatus
from portico.clients.selectors import ClientFilters, client_filtered
from portico.core.actors import Actor, ActorKind
from portico.core.errors import PorticoError
from portico.core.sql import copy_rows, insert_select
from portico.core.tokens import token_new
from portico.invitations.actions import (
    invitation_address,
    invitation_message_fields,
    invitation_refusal,
    invitation_render_many,
    portal_settings_of,
)
from portico.invitations.models import (
    BulkInvitation,
    BulkInvitationRow,
    Delivery,
    Invitation,
    InvitationChannel,
    InvitationEvent,
    InvitationLink,
    InvitationStatus,
)
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue_many, outbox_message_new
from portico.outbox.models import OutboxMessage, secret_marker
from portico.portal.models import PortalSettings

INLINE_LIMIT = 200  # up to this many clients the invitations are made in the request
CHUNK = 2_000  # clients per transaction: larger is faster per client, but holds more row locks for longer
STALE_AFTER = dt.timedelta(minutes=10)
Outcome = BulkInvitationRow.Outcome
# What the chunk query loads: what ``invitation_refusal`` and the message need, nothing more.
REFUSAL_FIELDS = ("id", "org_id", "name", "email", "phone", "status", "deleted_at", "profile__organizer_id")


def _selection(org: Organization, client_ids: list[int] | None, filters: ClientFilters | None) -> QuerySet[Client]:
    """Live clients of ``org`` only: ids of another organization (or deleted records) never match."""
    qs = client_filtered(org=org, filters=filters or ClientFilters())
    if client_ids is not None:
        qs = qs.filter(pk__in=client_ids)
    return qs


def _check(org: Organization, channel: str) -> PortalSettings:
    if channel not in InvitationChannel.values:
        raise PorticoError(_("Choose email or SMS."), code="bad_channel")
    return portal_settings_of(org)


def bulk_invitation_count(
    *, org: Organization, channel: str, client_ids: list[int] | None = None, filters: ClientFilters | None = None
) -> int:
    """How many clients a bulk invitation would go through (for the confirmation)."""
    _check(org, channel)
    return _selection(org, client_ids, filters).count()


def bulk_invitation_start(
    *,
    org: Organization,
    actor: Actor,
    channel: str,
    client_ids: list[int] | None = None,
    filters: ClientFilters | None = None,
) -> BulkInvitation:
    """Invite the chosen clients (explicit ids, or everything matching ``filters``). Up to
    INLINE_LIMIT the job runs now; larger ones are handed to the worker. Either way the job
    page shows the outcome per client. Not one transaction: the job row commits first and each
    chunk commits alone, so a failure part-way is recorded on the job (and audited)."""
    _check(org, channel)
    if client_ids is not None:
        client_ids = sorted(set(client_ids))
    total = _selection(org, client_ids, filters).count()
    if not total:
        raise PorticoError(_("None of these clients can be found. Reload the list and try again."), code="empty")
    job = BulkInvitation.objects.create(
        org=org,
        channel=channel,
        client_ids=client_ids or [],
        filters=_filters_to_json(filters or ClientFilters()) if client_ids is None else {},
        total=total,
        created_by=actor.user,
    )
    if total <= INLINE_LIMIT:
        bulk_invitation_run(job_id=job.pk, actor=actor)
        job.refresh_from_db()
    else:
        from portico.invitations.tasks import run_bulk_invitation

        transaction.on_commit(partial(run_bulk_invitation.enqueue, job.pk))
    return job


def _job_actor(job: BulkInvitation) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=job.created_by) if job.created_by else Actor.system()


def bulk_invitation_run(*, job_id: int, actor: Actor | None = None) -> str:
    """Walk the selection by id in chunks, one transaction per chunk, updating progress as it
    goes. A restarted job (its worker died) goes on after the last chunk it committed."""
    claimed = BulkInvitation.objects.filter(pk=job_id, state=BulkInvitation.State.QUEUED).update(
        state=BulkInvitation.State.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = BulkInvitation.objects.select_related("org", "created_by").get(pk=job_id)
    actor = actor or _job_actor(job)
    try:
        portal = portal_settings_of(job.org)
        selection = _selection(job.org, job.client_ids or None, _filters_from_json(job.filters)).order_by("id")
        last_id = BulkInvitationRow.objects.filter(job=job).aggregate(last=Max("client_id"))["last"] or 0
        while True:
            chunk_ids = list(selection.filter(id__gt=last_id).values_list("id", flat=True)[:CHUNK])
            if not chunk_ids:
                break
            with transaction.atomic():
                sent, skipped = _invite_chunk(job, portal, actor, chunk_ids)
                BulkInvitation.objects.filter(pk=job.pk).update(
                    heartbeat_at=timezone.now(),
                    processed=F("processed") + sent + skipped,
                    sent=F("sent") + sent,
                    skipped=F("skipped") + skipped,
                )
            last_id = chunk_ids[-1]
    except Exception as exc:  # recorded on the job for the page; the worker logs the traceback
        error = str(exc.message if isinstance(exc, PorticoError) else exc)
        with transaction.atomic():
            BulkInvitation.objects.filter(pk=job.pk).update(
                state=BulkInvitation.State.FAILED, error=error[:500], finished_at=timezone.now()
            )
            # The chunks done so far are committed (their messages go out): audited like a finished job.
            _audit_summary(job, actor, error=error[:200])
        raise
    with transaction.atomic():
        BulkInvitation.objects.filter(pk=job.pk).update(state=BulkInvitation.State.DONE, finished_at=timezone.now())
        _audit_summary(job, actor)
    return "done"


def _invite_chunk(job: BulkInvitation, portal: PortalSettings, actor: Actor, chunk_ids: list[int]) -> tuple[int, int]:
    """Invite one chunk of clients; returns (sent, skipped)."""
    now = timezone.now()
    expires_at = now + dt.timedelta(days=portal.invitation_lifetime_days)
    channel = job.channel
    pending = Invitation.objects.filter(client=OuterRef("pk"), status=InvitationStatus.PENDING)
    # Locked (the client rows only), so a single send or another bulk job waits for this chunk.
    clients: list[Client] = list(
        Client.objects.select_for_update(of=("self",))
        .select_related("profile")
        .filter(org=job.org, pk__in=chunk_ids, deleted_at=None)
        .annotate(has_pending=Exists(pending))
        .only(*REFUSAL_FIELDS)
        .order_by("id")
    )
    outcomes: dict[int, str] = {}
    invitable: list[Client] = []
    for client in clients:
        refusal = invitation_refusal(client, channel, pending=client.has_pending)  # type: ignore[attr-defined]
        if refusal is None:
            invitable.append(client)
        else:
            outcomes[client.pk] = refusal[0]  # the refusal codes are the outcome values

    # Made in the database from the client rows. A pending invitation that appeared meanwhile
    # (the partial unique index) is skipped, not an error: that client is "already invited".
    insert_select(
        Invitation,
        Client.objects.filter(pk__in=[c.pk for c in invitable]),
        {
            "org": job.org_id,
            "client": F("pk"),
            "channel": channel,
            "address": F("email") if channel == InvitationChannel.EMAIL else F("phone"),
            "status": InvitationStatus.PENDING,
            "sent_count": 1,
            "expires_at": expires_at,
            "delivery": Delivery.QUEUED,
            "delivery_at": now,
            "invited_by": actor.user.pk if actor.user else None,
            "ended_reason": "",
            "bulk_job": job.pk,
            "created_at": now,
            "sent_at": now,
        },
        ignore_conflicts=True,
    )
    # This chunk's new invitations: the job's, in the chunk's client id range (chunks go up by id).
    invitations = Invitation.objects.filter(bulk_job=job, client_id__gte=chunk_ids[0], client_id__lte=chunk_ids[-1])
    created = dict(invitations.values_list("client_id", "pk"))
    sent: list[Client] = []
    for client in invitable:
        if client.pk in created:
            sent.append(client)
        else:
            outcomes[client.pk] = Outcome.ALREADY_INVITED

    links, drafts = [], []
    texts = invitation_render_many(
        portal=portal,
        client_names=[c.name for c in sent],
        channel=channel,
        expires_at=expires_at,
        link=secret_marker("link"),
    )
    for client, rendered in zip(sent, texts, strict=True):
        raw, digest = token_new()
        links.append(InvitationLink(invitation_id=created[client.pk], number=1, token_digest=digest, created_at=now))
        fields = invitation_message_fields(
            portal=portal,
            invitation_id=created[client.pk],
            sent_count=1,
            channel=channel,
            address=invitation_address(client, channel),
            client_name=client.name,
            expires_at=expires_at,
            raw=raw,
            rendered=rendered,
        )
        drafts.append(outbox_message_new(**fields))
    if not copy_rows(InvitationLink, links):
        InvitationLink.objects.bulk_create(links)
    outbox_enqueue_many(drafts)
    # Each invitation's newest message is the one just queued (its key names the invitation).
    invitations.update(
        last_message=Subquery(
            OutboxMessage.objects.filter(
                idempotency_key=Concat(Value("invitation:"), Cast(OuterRef("pk"), CharField()), Value(":1"))
            ).values("pk")[:1]
        )
    )
    insert_select(
        InvitationEvent, invitations, {"invitation": F("pk"), "kind": Delivery.QUEUED, "at": now, "detail": ""}
    )

    # Not invited → invite sent, for those who were not invited (others keep their status).
    new_status = CLIENT_MACHINE.target(ClientStatus.NOT_INVITED, "send_invitation")
    moving = Client.objects.filter(
        Exists(Invitation.objects.filter(client=OuterRef("pk"), bulk_job=job)),
        org=job.org,
        pk__gte=chunk_ids[0],
        pk__lte=chunk_ids[-1],
        status=ClientStatus.NOT_INVITED,
    )
    # The audit rows single sends write (one INSERT … SELECT each), then the move itself.
    audit_record_select(
        org=job.org,
        actor=actor,
        action=AuditAction.CLIENT_STATUS_CHANGED,
        targets=moving,
        target_label=F("name"),
        from_state=ClientStatus.NOT_INVITED,
        to_state=new_status,
        detail={"action": "send_invitation", "job": job.pk},
    )
    moving.update(status=new_status)
    audit_record_select(
        org=job.org,
        actor=actor,
        action=AuditAction.INVITATION_SENT,
        targets=invitations,
        target_type="clients.client",
        target_id=F("client_id"),
        target_label=F("client__name"),
        to_state=InvitationStatus.PENDING,
        detail={"invitation": F("pk"), "channel": channel, "to": F("address"), "job": job.pk},
    )
    insert_select(
        BulkInvitationRow,
        invitations,
        {"job": job.pk, "client": F("client_id"), "outcome": Outcome.SENT},
        ignore_conflicts=True,
    )
    BulkInvitationRow.objects.bulk_create(
        [BulkInvitationRow(job=job, client_id=pk, outcome=outcome) for pk, outcome in outcomes.items()],
        ignore_conflicts=True,
    )
    return len(sent), len(clients) - len(sent)


def bulk_invitation_outcomes(*, job: BulkInvitation) -> dict[str, int]:
    """How many clients had each outcome."""
    rows = BulkInvitationRow.objects.filter(job=job).values_list("outcome").annotate(n=Count("id"))
    return dict(rows.values_list("outcome", "n"))


def _audit_summary(job: BulkInvitation, actor: Actor, **extra: Any) -> None:
    job.refresh_from_db(fields=["processed", "sent", "skipped"])
    audit_record(
        org=job.org,
        actor=actor,
        action=AuditAction.INVITATIONS_BULK_SENT,
        target=job,
        target_label=_bulk_label(job),
        detail={
            "job": job.pk,
            "channel": job.channel,
            "matched": job.total,
            "processed": job.processed,
            "sent": job.sent,
            "skipped": job.skipped,
            "outcomes": bulk_invitation_outcomes(job=job),
            **extra,
        },
    )


def _bulk_label(job: BulkInvitation) -> str:
    return f"{job.get_channel_display()}: {job.sent}/{job.processed}"


@dataclasses.dataclass
class ResultPage:
    rows: list[BulkInvitationRow]
    next_after: int | None  # the last client id shown, when there are more


def bulk_invitation_results(*, job: BulkInvitation, outcome: str = "", after: int = 0, limit: int = 50) -> ResultPage:
    """One page of the result table (by client id, keyset): one query whatever the page."""
    qs = BulkInvitationRow.objects.filter(job=job)
    if outcome:
        qs = qs.filter(outcome=outcome)
    rows = list(
        qs.filter(client_id__gt=after)
        .select_related("client")
        .only("id", "outcome", "client_id", "client__name", "client__case_number", "client__status")
        .order_by("client_id")[: limit + 1]
    )
    if len(rows) > limit:
        return ResultPage(rows[:limit], rows[limit - 1].client_id)
    return ResultPage(rows, None)


def bulk_invitations_requeue_stale() -> int:
    """Jobs whose worker died mid-way (no heartbeat for STALE_AFTER) start again where they
    stopped: each chunk commits its invitations and result rows together. Run by
    `manage.py outbox_sweep` with the other recovery work."""
    from portico.invitations.tasks import run_bulk_invitation

    stale = list(
        BulkInvitation.objects.filter(
            state=BulkInvitation.State.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in stale:
        if BulkInvitation.objects.filter(pk=pk, state=BulkInvitation.State.RUNNING).update(
            state=BulkInvitation.State.QUEUED
        ):
            run_bulk_invitation.enqueue(pk)
    return len(stale)
