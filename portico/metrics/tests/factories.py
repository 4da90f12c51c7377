"""Customers, metrics and the facts the computed metrics read, made directly with the ORM (the
customers app's own actions are built in parallel; these tests do not depend on them)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from portico.accounts.models import User
from portico.clients.models import Client, ClientKind
from portico.core.actors import Actor, ActorKind
from portico.customers.models import ComplianceDocument, Customer, CustomerStatus
from portico.metrics.actions import metric_create
from portico.metrics.models import ManualValue, Metric, MetricKind
from portico.payments.models import PaymentMethod, PaymentMethodKind, PaymentMethodState
from portico.requests.models import ClientRequest, RequestKind, RequestMessage
from portico.work.models import Job as WorkJob
from portico.work.models import JobState as WorkJobState
from testing.world import World

_serial = itertools.count(1)


def staff(world: World) -> Actor:
    return Actor(kind=ActorKind.STAFF, user=world.admin, ip="192.0.2.30", user_agent="metrics-test")


def customer_make(
    world: World,
    *,
    name: str = "",
    status: str = CustomerStatus.ACTIVE,
    created_at: dt.datetime | None = None,
) -> Customer:
    n = next(_serial)
    client = Client.objects.create(
        org=world.org,
        kind=ClientKind.COMPANY,
        name=name or f"Empresa {n} SA de CV",
        trade_name=f"Empresa {n}",
        case_number=f"M-{world.org.slug}-{n}",
    )
    return Customer.objects.create(client=client, org=world.org, status=status, created_at=created_at or timezone.now())


def metric_make(world: World, *, name: str = "", kind: str = MetricKind.MANUAL, **fields: Any) -> Metric:
    return metric_create(org=world.org, actor=staff(world), name=name or f"Metric {next(_serial)}", kind=kind, **fields)


def manual_value(customer: Customer, metric: Metric, value: str) -> ManualValue:
    return ManualValue.objects.create(customer=customer, metric=metric, value=Decimal(value))


def work_job(customer: Customer, *, state: str = WorkJobState.NEW) -> WorkJob:
    n = next(_serial)
    return WorkJob.objects.create(
        org_id=customer.org_id, client_id=customer.pk, title=f"Job {n}", number=n, state=state, origin="staff"
    )


def payment_method(customer: Customer, *, state: str = PaymentMethodState.ACTIVE) -> PaymentMethod:
    n = next(_serial)
    return PaymentMethod.objects.create(
        org_id=customer.org_id,
        client_id=customer.pk,
        kind=PaymentMethodKind.CARD,
        state=state,
        setup_intent_id=f"seti_{n}",
        payment_method_id=f"pm_{n}",
    )


def client_request(
    customer: Customer, author: User, *, created_at: dt.datetime, answered_after: dt.timedelta | None = None
) -> ClientRequest:
    kind, _ = RequestKind.objects.get_or_create(org_id=customer.org_id, name="Information")
    request = ClientRequest.objects.create(
        org_id=customer.org_id,
        client_id=customer.pk,
        kind=kind,
        subject="A question",
        opened_by=author,
        created_at=created_at,
        last_activity_at=created_at,
    )
    RequestMessage.objects.create(
        client_request=request, author=author, from_client=True, body="Hello", created_at=created_at
    )
    if answered_after is not None:
        RequestMessage.objects.create(
            client_request=request, author=author, body="A note", internal=True, created_at=created_at
        )
        RequestMessage.objects.create(
            client_request=request, author=author, body="The answer", created_at=created_at + answered_after
        )
    return request


def document(customer: Customer, *, expires_on: dt.date | None) -> ComplianceDocument:
    return ComplianceDocument.objects.create(
        customer=customer,
        org_id=customer.org_id,
        doc_type="constancia",
        file="customers/documents/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        expires_on=expires_on,
    )
