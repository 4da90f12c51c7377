"""Bulk portal invitations: a job kind (jobs/kinds.py) run by the one jobs runner. Set-based: the
chosen clients (explicit ids, or "all N matching" a client-list filter) are walked by id in chunks;
each chunk is one transaction with a fixed number of statements whatever its size: one query loads
(and locks) the chunk with what the refusal check needs, Python classifies each client with the
same ``invitation_refusal`` as a single send, and everything else is a bulk INSERT or one UPDATE:
invitations, links, outbox messages (delivered in batches, see ``outbox_enqueue_many``), delivery
events, the client status move, audit rows and the job's result rows. Small selections run in the
request; larger ones in the worker, with progress for the job page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portico.audit.actions import audit_record, audit_record_select
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.models import CLIENT_MACHINE, Client
from portico.clients.selectors import ClientFilters, ClientSelection, job_clients, job_clients_not_found
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.core.keyset import Page, keyset_page
from portico.core.sql import copy_rows, insert_select
from portico.core.tokens import token_new
from portico.invitations.messages import (
    invitation_message_fields,
    invitation_message_key_sql,
    invitation_render_many,
)
from portico.invitations.models import (
    BulkInvitationRow,
    Delivery,
    Invitation,
    InvitationChannel,
    InvitationEvent,
    InvitationLink,
    InvitationStatus,
)
from portico.invitations.refusals import invitation_address, invitation_expiry, invitation_refusal, portal_settings_of
from portico.invitations.signals import invitations_sent_bulk
from portico.jobs.kinds import JobKind, job_kind_register
from portico.jobs.models import Job
from portico.jobs.runner import job_start
from portico.orgs.models import Organization
from portico.orgs.permissions import Permission
from portico.outbox.actions import outbox_enqueue_many, outbox_message_new
from portico.outbox.models import OutboxMessage, secret_marker
from portico.portal.models import PortalSettings

KIND = "invitations.bulk_send"
INLINE_LIMIT = 200  # up to this many clients the invitations are made in the request
CHUNK = 2_000  # clients per transaction: larger is faster per client, but holds more row locks for longer
RESULTS_PAGE = 50
Outcome = BulkInvitationRow.Outcome
# What the chunk query loads: what ``invitation_refusal`` and the message need, nothing more.
REFUSAL_FIELDS = ("id", "org_id", "name", "email", "phone", "status", "deleted_at", "profile__organizer_id")


def _check(org: Organization, channel: str) -> None:
    if channel not in InvitationChannel.values:
        raise PorticoError(_("Choose email or SMS."), code="bad_channel")
    portal_settings_of(org)


def bulk_invitation_count(
    *, org: Organization, channel: str, client_ids: list[int] | None = None, filters: ClientFilters | None = None
) -> int:
    """How many clients a bulk invitation would go through (for the confirmation)."""
    _check(org, channel)
    return ClientSelection(client_ids=client_ids, filters=filters).queryset(org=org).count()


@action(
    tx="own", audited=False, why="the job audits each invitation, each move, and its summary (invitation.bulk_sent)"
)
def bulk_invitation_start(
    *,
    org: Organization,
    actor: Actor,
    channel: str,
    client_ids: list[int] | None = None,
    filters: ClientFilters | None = None,
) -> Job:
    """Invite the chosen clients (explicit ids, or everything matching ``filters``). Up to
    INLINE_LIMIT the job runs now; larger ones are handed to the worker. Either way the job page
    shows the outcome per client. Not one transaction: the job row commits first and each chunk
    commits alone, so a failure part-way is recorded on the job (and audited)."""
    _check(org, channel)
    selection = ClientSelection(client_ids=client_ids, filters=filters)
    total = selection.queryset(org=org).count()
    if not total:
        raise PorticoError(_("None of these clients can be found. Reload the list and try again."), code="empty")
    params = {"channel": channel, **selection.to_params()}
    return job_start(org=org, kind=KIND, actor=actor, params=params, total=total)


@dataclass
class _Chunk:
    """One chunk's shared facts, so each step below reads them the same way."""

    job: Job
    actor: Actor
    ids: list[int]  # ascending: chunks go up by client id
    portal: PortalSettings
    channel: str
    now: dt.datetime
    expires_at: dt.datetime

    def clients_in_range(self) -> QuerySet[Client]:
        return Client.objects.filter(org=self.job.org, pk__gte=self.ids[0], pk__lte=self.ids[-1])

    def invitations(self) -> QuerySet[Invitation]:
        """This chunk's new invitations: the job's, in the chunk's client id range."""
        return Invitation.objects.filter(bulk_job=self.job, client_id__gte=self.ids[0], client_id__lte=self.ids[-1])


def _run_chunk(job: Job, actor: Actor, chunk_ids: list[int]) -> dict[str, int]:
    """Invite one chunk of clients, with a fixed number of statements whatever its size; returns
    the counts to add (sent, skipped)."""
    portal = portal_settings_of(job.org)
    now = timezone.now()
    chunk = _Chunk(
        job=job,
        actor=actor,
        ids=chunk_ids,
        portal=portal,
        channel=job.params["channel"],
        now=now,
        expires_at=invitation_expiry(portal, now),
    )
    clients, invitable, outcomes = _classify(chunk)
    created = _invitations_insert(chunk, invitable)
    sent = [client for client in invitable if client.pk in created]
    # A pending invitation that appeared meanwhile (a single send) means "already invited".
    outcomes.update({client.pk: Outcome.ALREADY_INVITED for client in invitable if client.pk not in created})
    _links_and_messages(chunk, sent, created)
    _record(chunk, outcomes)
    if sent:
        invitations_sent_bulk.send(sender=Invitation, org=job.org, client_ids=[c.pk for c in sent], actor=actor)
    return {"sent": len(sent), "skipped": len(clients) - len(sent)}


def _classify(chunk: _Chunk) -> tuple[list[Client], list[Client], dict[int, str]]:
    """The chunk's live clients (locked: the client rows only, so a single send or another bulk
    job waits for this chunk), those who may be invited, and the refusal of each other one."""
    pending = Invitation.objects.filter(client=OuterRef("pk"), status=InvitationStatus.PENDING)
    clients: list[Client] = list(
        Client.objects.select_for_update(of=("self",))
        .select_related("profile")
        .filter(org=chunk.job.org, pk__in=chunk.ids, deleted_at=None)
        .annotate(has_pending=Exists(pending))
        .only(*REFUSAL_FIELDS)
        .order_by("id")
    )
    outcomes: dict[int, str] = {}
    invitable: list[Client] = []
    for client in clients:
        refusal = invitation_refusal(client, chunk.channel, pending=client.has_pending)  # type: ignore[attr-defined]
        if refusal is None:
            invitable.append(client)
        else:
            outcomes[client.pk] = refusal[0]  # the refusal codes are the outcome values
    return clients, invitable, outcomes


def _invitations_insert(chunk: _Chunk, invitable: list[Client]) -> dict[int, int]:
    """Invitations made in the database from the client rows; {client id: invitation id}. A
    pending invitation that appeared meanwhile (the partial unique index) is skipped, not an error."""
    insert_select(
        Invitation,
        Client.objects.filter(pk__in=[c.pk for c in invitable]),
        {
            "org": chunk.job.org_id,
            "client": F("pk"),
            "channel": chunk.channel,
            "address": F("email") if chunk.channel == InvitationChannel.EMAIL else F("phone"),
            "status": InvitationStatus.PENDING,
            "sent_count": 1,
            "expires_at": chunk.expires_at,
            "delivery": Delivery.QUEUED,
            "delivery_at": chunk.now,
            "invited_by": chunk.actor.user.pk if chunk.actor.user else None,
            "ended_reason": "",
            "bulk_job": chunk.job.pk,
            "created_at": chunk.now,
            "sent_at": chunk.now,
        },
        ignore_conflicts=True,
    )
    return dict(chunk.invitations().values_list("client_id", "pk"))


def _links_and_messages(chunk: _Chunk, sent: list[Client], created: dict[int, int]) -> None:
    """One link (one token) and one outbox message per invitation, the texts rendered once for the
    chunk; then each invitation points at its message and its trail starts at "queued"."""
    links, drafts = [], []
    texts = invitation_render_many(
        portal=chunk.portal,
        client_names=[c.name for c in sent],
        channel=chunk.channel,
        expires_at=chunk.expires_at,
        link=secret_marker("link"),
    )
    for client, rendered in zip(sent, texts, strict=True):
        raw, digest = token_new()
        links.append(
            InvitationLink(invitation_id=created[client.pk], number=1, token_digest=digest, created_at=chunk.now)
        )
        fields = invitation_message_fields(
            portal=chunk.portal,
            invitation_id=created[client.pk],
            sent_count=1,
            channel=chunk.channel,
            address=invitation_address(client, chunk.channel),
            client_name=client.name,
            expires_at=chunk.expires_at,
            raw=raw,
            rendered=rendered,
        )
        drafts.append(outbox_message_new(**fields))
    if not copy_rows(InvitationLink, links):
        InvitationLink.objects.bulk_create(links)
    outbox_enqueue_many(messages=drafts)
    invitations = chunk.invitations()
    # Each invitation's newest message is the one just queued (its key names the invitation).
    invitations.update(
        last_message=Subquery(
            OutboxMessage.objects.filter(
                idempotency_key=invitation_message_key_sql(OuterRef("pk"), OuterRef("sent_count"))
            ).values("pk")[:1]
        )
    )
    insert_select(
        InvitationEvent, invitations, {"invitation": F("pk"), "kind": Delivery.QUEUED, "at": chunk.now, "detail": ""}
    )


def _record(chunk: _Chunk, outcomes: dict[int, str]) -> None:
    """The client moves and audit rows single sends write, and the job's result rows."""
    job, invitations = chunk.job, chunk.invitations()
    # Not invited → invite sent, for those who were not invited (others keep their status).
    CLIENT_MACHINE.apply_many(
        chunk.clients_in_range().filter(Exists(Invitation.objects.filter(client=OuterRef("pk"), bulk_job=job))),
        "send_invitation",
        actor=chunk.actor,
        org=job.org_id,
        audit_rows={"target_label": F("name"), "detail": {"job": job.pk}},
    )
    audit_record_select(
        org=job.org,
        actor=chunk.actor,
        action=AuditAction.INVITATION_SENT,
        targets=invitations,
        target_type="clients.client",
        target_id=F("client_id"),
        target_label=F("client__name"),
        to_state=InvitationStatus.PENDING,
        detail={"invitation": F("pk"), "channel": chunk.channel, "to": F("address"), "job": job.pk},
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


def bulk_invitation_outcomes(*, job: Job) -> dict[str, int]:
    """How many clients had each outcome."""
    rows = BulkInvitationRow.objects.filter(job=job).values_list("outcome").annotate(n=Count("id"))
    return dict(rows.values_list("outcome", "n"))


def _summarize(job: Job, actor: Actor, error: str) -> None:
    channel = InvitationChannel(job.params["channel"])
    audit_record(
        org=job.org_id,
        actor=actor,
        action=AuditAction.INVITATIONS_BULK_SENT,
        target=job,
        target_label=f"{channel.label}: {job.count('sent')}/{job.processed}",
        detail={
            "job": job.pk,
            "channel": channel.value,
            "matched": job.total,
            "processed": job.processed,
            "sent": job.count("sent"),
            "skipped": job.count("skipped"),
            "outcomes": bulk_invitation_outcomes(job=job),
            **({"error": error} if error else {}),
        },
    )


def bulk_invitation_results(
    *, job: Job, outcome: str = "", cursor: str = "", limit: int | None = None
) -> Page[BulkInvitationRow]:
    """One page of the result table (by client id, keyset): one query whatever the page."""
    qs = BulkInvitationRow.objects.filter(job=job)
    if outcome:
        qs = qs.filter(outcome=outcome)
    qs = qs.select_related("client").only(
        "id", "outcome", "job_id", "client_id", "client__name", "client__case_number", "client__status"
    )
    return keyset_page(qs, order=("client_id",), cursor=cursor, page_size=limit or RESULTS_PAGE)


def _result_context(job: Job, request: HttpRequest) -> dict[str, Any]:
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in Outcome.values else ""
    counts = bulk_invitation_outcomes(job=job)
    return {
        "outcome": outcome,
        "results": bulk_invitation_results(job=job, outcome=outcome, cursor=request.GET.get("cursor", "")),
        "outcomes": [(value, label, counts.get(value, 0)) for value, label in Outcome.choices],
        "all_count": sum(counts.values()),
        "not_found": job_clients_not_found(job),
        "channel_label": InvitationChannel(job.params["channel"]).label,
    }


def _back(job: Job) -> str:
    return reverse("client_list", args=[job.org.slug])


KIND_INVITATIONS = JobKind(
    name=KIND,
    label=gettext_lazy("Portal invitations"),
    permission=Permission.INVITATIONS_SEND,
    selection=job_clients,
    run_chunk=_run_chunk,
    summarize=_summarize,
    result_template="invitations/_bulk_job_result.html",
    result_context=_result_context,
    back_url=_back,
    chunk_size=CHUNK,
    inline_limit=INLINE_LIMIT,
)


def register() -> None:
    job_kind_register(KIND_INVITATIONS)
