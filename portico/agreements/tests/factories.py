"""Agreements for the tests.

``agreement_sent_make`` gives a sent agreement of a client who joined the portal: a real PDF,
hashed, with its created/sent events in the chain. (Interim: built from rows until the
agreements actions exist; it then calls ``agreement_create`` and ``agreement_send`` and keeps
this signature.)"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from weasyprint import HTML

from portico.agreements.chain import event_append
from portico.agreements.models import Agreement, AgreementCounter, AgreementEventKind, AgreementState
from portico.estimates.tests.factories import joined
from testing.world import World

_serial = itertools.count(1)

BODY = "<h1>Service agreement</h1><p>The contractor will do the work described in the estimate.</p>"


def agreement_sent_make(world: World, *, client: Any = None, person: Any = None, body: str = BODY) -> Agreement:
    """A sent agreement; with no ``client``, a new client who joined the portal (``person``)."""
    if client is None:
        n = next(_serial)
        client, _person = joined(world, f"Agree{n} Client", f"agree{n}@example.test")
    with transaction.atomic():
        counter, _ = AgreementCounter.objects.select_for_update().get_or_create(org=world.org)
        counter.last_number += 1
        counter.save()
        pdf = HTML(string=f"<html><body>{body}</body></html>").write_pdf()
        agreement = Agreement.objects.create(
            org=world.org,
            client=client,
            number=counter.last_number,
            title="Service agreement",
            body=body,
            language="en",
            state=AgreementState.SENT,
            sent_at=timezone.now(),
            created_by=world.admin,
            document_hash=hashlib.sha256(pdf).hexdigest(),
        )
        agreement.document.save(f"agreement-{agreement.pk}.pdf", ContentFile(pdf))
        event_append(agreement=agreement, kind=AgreementEventKind.CREATED, actor_label=world.admin.email)
        event_append(
            agreement=agreement,
            kind=AgreementEventKind.SENT,
            actor_label=world.admin.email,
            data={"document_sha256": agreement.document_hash},
        )
    return agreement
