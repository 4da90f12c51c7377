"""Agreements for the tests, made by the real actions.

``template_make`` gives a template of the organization (``default=True``: the one sent
automatically when an estimate is approved). ``agreement_sent_make`` gives a sent agreement of a
client who joined the portal: made from a template by ``agreement_create`` and sent by
``agreement_send`` (a real PDF, hashed, its created/sent events in the chain)."""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from portico.agreements.actions import agreement_create, agreement_send, agreement_template_create
from portico.agreements.models import Agreement, AgreementState, AgreementTemplate
from portico.estimates.actions import estimate_approve
from portico.estimates.models import Estimate
from portico.estimates.tests.factories import client_actor, estimate_make, joined, staff
from testing.world import World, client_make

_serial = itertools.count(1)

BODY = "<h1>Service agreement</h1><p>The contractor will do the work described in the estimate.</p>"


def template_make(
    world: World, *, default: bool = False, body: str = BODY, title: str = "Service agreement", name: str = ""
) -> AgreementTemplate:
    return agreement_template_create(
        org=world.org,
        actor=staff(world),
        name=name or f"Template {next(_serial)}",
        title=title,
        body=body,
        is_default=default,
    )


def agreement_sent_make(world: World, *, client: Any = None, person: Any = None, body: str = BODY) -> Agreement:
    """A sent agreement; with no ``client``, a new client who joined the portal (``person``)."""
    if client is None:
        n = next(_serial)
        client, _person = joined(world, f"Agree{n} Client", f"agree{n}@example.test")
    agreement = agreement_create(client=client, template=template_make(world, body=body), actor=staff(world))
    return agreement_send(agreement=agreement, actor=staff(world))


def agreement_signed_make(world: World) -> Agreement:
    """A sent agreement marked signed with a stored signed copy (rows only: the signing helper's
    ``signing.py`` makes real ones; the staff download pages need nothing more)."""
    agreement = agreement_sent_make(world)
    data = agreement.document.open("rb").read() + b"\n%signed\n"
    agreement.signed_document.save(f"signed-{agreement.pk}.pdf", ContentFile(data), save=False)
    Agreement.objects.filter(pk=agreement.pk).update(
        state=AgreementState.SIGNED,
        signed_at=timezone.now(),
        signed_document=agreement.signed_document.name,
        signed_hash=hashlib.sha256(data).hexdigest(),
    )
    agreement.refresh_from_db()
    return agreement


def agreement_draft_make(world: World, *, client: Any = None, body: str = BODY) -> Agreement:
    if client is None:
        n = next(_serial)
        client = client_make(world, f"Draft{n} Client", email=f"draft{n}@example.test")
    return agreement_create(client=client, template=template_make(world, body=body), actor=staff(world))


def approved_estimate_make(world: World, client: Any, person: Any, **fields: Any) -> Estimate:
    """An estimate of ``client`` (joined the portal as ``person``), sent and approved by them."""
    estimate = estimate_make(world, client=client, sent=True, **fields)
    return estimate_approve(estimate=estimate, actor=client_actor(person), content_hash=estimate.content_hash)
