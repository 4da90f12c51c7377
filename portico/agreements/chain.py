"""An agreement's events as a hash chain (ESIGN/UETA: the record must show what happened, and a
later edit of that record must be detectable).

Each ``AgreementEvent`` stores ``prev_hash`` (the previous event's ``hash``, "" for the first) and
its own ``hash``: SHA-256 over the canonical JSON of its fields and ``prev_hash``. Changing,
removing or re-ordering any event breaks every hash after it, and the agreement keeps the last
hash (``chain_head``), so cutting events off the end is caught too. Events are appended only with
the agreement row locked (``event_append`` runs inside the caller's action and locks it), so the
sequence has no gaps and no fork.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from portico.agreements.models import Agreement, AgreementEvent


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def event_fields(event: AgreementEvent) -> dict[str, Any]:
    """What an event's hash covers (everything but the hash itself)."""
    return {
        "agreement": event.agreement_id,
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_label,
        "user": event.user_id,
        "ip": event.ip or "",
        "user_agent": event.user_agent,
        "data": event.data,
        "prev": event.prev_hash,
    }


def event_hash(event: AgreementEvent) -> str:
    return hashlib.sha256(_canonical(event_fields(event))).hexdigest()


def event_append(
    *,
    agreement: Agreement,
    kind: str,
    actor_label: str,
    user_id: int | None = None,
    ip: str | None = None,
    user_agent: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AgreementEvent:
    """Append one event to ``agreement``'s chain. Part of the caller's action (it must run in a
    transaction): the agreement row is locked, the new event links to the head, the head moves."""
    head = Agreement.objects.select_for_update().values_list("chain_head", flat=True).get(pk=agreement.pk)
    last_seq = (
        AgreementEvent.objects.filter(agreement_id=agreement.pk).order_by("-seq").values_list("seq", flat=True).first()
    )
    event = AgreementEvent(
        agreement=agreement,
        seq=(last_seq or 0) + 1,
        kind=kind,
        at=at or timezone.now(),
        actor_label=actor_label[:200],
        user_id=user_id,
        ip=ip or None,
        user_agent=(user_agent or "")[:300],
        data=json.loads(_canonical(data or {})),  # stored exactly as hashed (JSON round trip)
        prev_hash=head,
    )
    event.hash = event_hash(event)
    event.save()
    Agreement.objects.filter(pk=agreement.pk).update(chain_head=event.hash)
    agreement.chain_head = event.hash
    return event


@dataclass(frozen=True)
class ChainVerdict:
    intact: bool
    events: int
    broken_at: int | None = None  # the seq of the first event that does not check out
    reason: str = ""


def chain_verify(agreement: Agreement, events: list[AgreementEvent] | None = None) -> ChainVerdict:
    """Recompute every hash and link; the last must be the agreement's stored head. ``events``:
    the agreement's events in ``seq`` order when the caller already loaded them (else read here)."""
    prev = ""
    count = 0
    if events is None:
        events = list(AgreementEvent.objects.filter(agreement_id=agreement.pk).order_by("seq"))
    for event in events:
        count += 1
        if event.seq != count:
            return ChainVerdict(False, count, event.seq, "an event is missing")
        if event.prev_hash != prev:
            return ChainVerdict(False, count, event.seq, "an event does not follow the one before")
        if event_hash(event) != event.hash:
            return ChainVerdict(False, count, event.seq, "an event was changed")
        prev = event.hash
    if prev != agreement.chain_head:
        return ChainVerdict(False, count, count + 1, "events were removed from the end")
    return ChainVerdict(True, count)


def trail_json(agreement: Agreement) -> dict[str, Any]:
    """The audit trail as JSON (the API's download and the certificate page's source)."""
    events = list(AgreementEvent.objects.filter(agreement_id=agreement.pk).order_by("seq"))
    verdict = chain_verify(agreement, events)
    return {
        "agreement": agreement.label,
        "document_sha256": agreement.document_hash,
        "signed_sha256": agreement.signed_hash,
        "chain_head": agreement.chain_head,
        "chain_intact": verdict.intact,
        "events": [{**event_fields(event), "hash": event.hash} for event in events],
    }
