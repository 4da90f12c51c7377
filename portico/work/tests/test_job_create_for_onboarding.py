"""The job made when a client's onboarding completes: whichever fact arrives last (the signature or
Stripe's webhook), with the approved estimate's scope and total, links to the signed agreement and
the active payment method, a number of its own, audited, and one notification to the navigators
(the journey's own "completed onboarding" one is left out). Exactly once; not at all when the
organization turned it off, nor for a journey that ends with the portal account."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portico.agreements.tests.factories import agreement_sent_make
from portico.audit.models import AuditAction, AuditEvent
from portico.journey.actions import journey_refresh, journey_settings_save
from portico.journey.models import COMPLETE
from portico.journey.tests.helpers import accept, invite, journey, stored_equals_facts
from portico.notifications.models import EventKind, Notification
from portico.work.actions import job_create_for_onboarding
from portico.work.models import Job, JobOrigin, JobState
from portico.work.tests.factories import (
    agreement_sign,
    job_make,
    onboarding_client,
    payment_method_activate,
    staff,
    template_make,
)
from testing.world import client_make

pytestmark = pytest.mark.django_db


def test_the_payment_webhook_last_makes_the_job_from_the_estimate(org_a):
    job_make(org_a)  # number 1 is taken by a job made by hand
    client, estimate, agreement, method = onboarding_client(org_a, name="Rosa Roof")
    assert journey(client).steps == ["invite", "account", "estimate", "agreement", "payment"]
    assert journey(client).current_step == "agreement"
    agreement_sign(agreement)
    assert journey(client).current_step == "payment"
    assert not Job.objects.filter(client=client).exists()

    payment_method_activate(method)
    done = journey(client)
    assert done.current_step == COMPLETE and stored_equals_facts(client)
    job = Job.objects.get(client=client)
    assert (job.origin, job.state, job.number) == (JobOrigin.ONBOARDING, JobState.NEW, 2)
    assert job.title == f"Job for Rosa Roof: estimate #{estimate.number}"
    assert (job.scope, job.total, job.currency) == ("Replace the roof", estimate.total, estimate.currency)
    assert job.total > Decimal(0)
    assert (job.estimate, job.agreement, job.payment_method) == (estimate, agreement, method)
    created = AuditEvent.objects.get(action=AuditAction.JOB_CREATED, target_id=str(job.pk))
    assert created.target_type == "work.job" and created.detail["origin"] == "onboarding"
    # One notification for the moment: the job's, saying both things.
    told = Notification.objects.filter(recipient=org_a.admin, client=client)
    assert [n.kind for n in told if n.kind in (EventKind.JOB_CREATED, EventKind.ONBOARDING_COMPLETED)] == [
        EventKind.JOB_CREATED
    ]
    note = told.get(kind=EventKind.JOB_CREATED)
    assert "Rosa Roof completed onboarding" in note.title and job.label in note.title
    assert note.url == f"/o/{org_a.org.slug}/work/{job.pk}/"


def test_the_signature_last_makes_the_job(org_a):
    client, _estimate, agreement, method = onboarding_client(org_a)
    payment_method_activate(method)
    assert journey(client).current_step == "agreement"
    assert not Job.objects.filter(client=client).exists()
    agreement_sign(agreement)
    assert journey(client).current_step == COMPLETE
    assert Job.objects.get(client=client).agreement == agreement


def test_made_once_however_often_the_journey_is_refreshed_or_the_action_called(org_a):
    client, _estimate, agreement, method = onboarding_client(org_a)
    agreement_sign(agreement)
    payment_method_activate(method)
    job = Job.objects.get(client=client)
    journey_refresh(client=client, actor=staff(org_a))
    assert job_create_for_onboarding(client=client, actor=staff(org_a)) == job
    assert Job.objects.filter(client=client).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.JOB_CREATED, target_id=str(job.pk)).count() == 1
    assert Notification.objects.filter(kind=EventKind.JOB_CREATED, client=client).count() == 1


def test_turned_off_no_job_and_the_completed_notification_instead(org_a):
    journey_settings_save(org=org_a.org, actor=staff(org_a), create_job=False)
    client, _estimate, agreement, method = onboarding_client(org_a)
    agreement_sign(agreement)
    payment_method_activate(method)
    assert journey(client).current_step == COMPLETE
    assert not Job.objects.exists()
    kinds = set(Notification.objects.filter(client=client).values_list("kind", flat=True))
    assert EventKind.ONBOARDING_COMPLETED in kinds and EventKind.JOB_CREATED not in kinds


def test_an_account_only_journey_makes_no_job(org_a):
    client = client_make(org_a, "Portal Only", email="portal@example.test")
    invite(org_a, client)
    accept(client)
    assert journey(client).current_step == COMPLETE
    assert not Job.objects.exists()


def test_without_an_estimate_the_title_is_the_clients_name(org_a):
    template_make(org_a)
    client = client_make(org_a, "Solo Client", email="solo@example.test")
    invite(org_a, client)
    accept(client)
    agreement_sign(agreement_sent_make(org_a, client=client))
    job = Job.objects.get(client=client)
    assert (job.title, job.scope, job.total, job.currency, job.estimate) == ("Solo Client", "", None, "", None)
    assert job.agreement is not None and job.payment_method is None


def test_each_organization_numbers_its_own_jobs(org_a, org_b):
    assert job_make(org_a).number == 1
    assert job_make(org_b).number == 1
    assert job_make(org_a).number == 2
