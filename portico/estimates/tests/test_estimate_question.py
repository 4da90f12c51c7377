"""The client's questions: a request thread tied to the estimate (the same thread for every
question and every version), answered by staff like any request, the answer shown in the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.core.actors import Actor, ActorKind
from portico.estimates.actions import estimate_revise, estimate_send
from portico.estimates.models import Estimate
from portico.estimates.tests.factories import estimate_make, joined, staff
from portico.requests.actions import request_reply
from portico.requests.models import ClientRequest, RequestKind
from portico.requests.selectors import request_kinds

pytestmark = pytest.mark.django_db


def _ask(client, world, estimate, body):
    return client.post(reverse("portal_estimate_question", args=[world.org.slug, estimate.pk]), {"body": body})


def test_a_question_becomes_a_request_thread_staff_answer_in_the_portal(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    assert _ask(client, org_a, estimate, "Does this include the paint?").status_code == 302
    estimate.refresh_from_db()
    thread = ClientRequest.objects.get(pk=estimate.question_id)
    question_kind = RequestKind.objects.get(org=org_a.org, name="Estimate question")
    assert (thread.client_id, thread.kind_id, thread.opened_by_id) == (record.pk, question_kind.pk, person.pk)
    assert f"#{estimate.number}" in thread.subject
    # staff answer it like any request (the request page)
    client.force_login(org_a.admin)
    staff_page = client.get(reverse("estimate_detail", args=[org_a.org.slug, estimate.pk])).content.decode()
    assert reverse("request_detail", args=[org_a.org.slug, thread.pk]) in staff_page
    client.post(reverse("request_detail", args=[org_a.org.slug, thread.pk]), {"body": "Yes, two coats included."})
    # a further question goes to the same thread, also from a new version
    new = estimate_revise(estimate=estimate, actor=staff(org_a))
    estimate_send(estimate=new, actor=staff(org_a))
    client.force_login(person)
    _ask(client, org_a, Estimate.objects.get(pk=new.pk), "And the ceiling?")
    assert ClientRequest.objects.filter(client=record).count() == 1
    page = client.get(reverse("portal_estimate_detail", args=[org_a.org.slug, new.pk])).content.decode()
    assert "Yes, two coats included." in page and "Does this include the paint?" in page and "And the ceiling?" in page


def test_questions_have_their_own_kind_made_once_per_organization_and_not_offered(client, org_a, org_b):
    offered_before = set(request_kinds(org=org_a.org, offered_only=True))
    assert offered_before  # the organization offers kinds of its own: questions never go under them
    record, person = joined(org_a)
    first = estimate_make(org_a, client=record, sent=True)
    second = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    _ask(client, org_a, first, "Question one")
    _ask(client, org_a, second, "Question two")
    kind = RequestKind.objects.get(org=org_a.org, name="Estimate question")
    assert not kind.active
    assert ClientRequest.objects.filter(client=record, kind=kind).count() == 2
    assert set(request_kinds(org=org_a.org, offered_only=True)) == offered_before
    created = AuditEvent.objects.filter(org=org_a.org, action=AuditAction.REQUEST_KIND_CREATED, target_id=str(kind.pk))
    assert created.count() == 1
    # The client's "Make a request" form does not offer it.
    page = client.get(reverse("portal_request_new", args=[org_a.org.slug])).content.decode()
    assert "Estimate question" not in page
    # Another organization gets its own, on its first question.
    assert not RequestKind.objects.filter(org=org_b.org, name="Estimate question").exists()
    their_record, their_person = joined(org_b, "Beta Mark", "beta-mark@example.test")
    theirs = estimate_make(org_b, client=their_record, sent=True)
    client.force_login(their_person)
    _ask(client, org_b, theirs, "Their question")
    theirs.refresh_from_db()
    their_kind = ClientRequest.objects.get(pk=theirs.question_id).kind
    assert (their_kind.org_id, their_kind.name, their_kind.active) == (org_b.org.pk, "Estimate question", False)


def test_internal_notes_stay_out_of_the_portal(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    _ask(client, org_a, estimate, "When can you start?")
    estimate.refresh_from_db()
    request_reply(
        client_request=ClientRequest.objects.get(pk=estimate.question_id),
        actor=Actor(kind=ActorKind.STAFF, user=org_a.admin),
        body="Secret staff note",
        from_client=False,
        internal=True,
    )
    page = client.get(reverse("portal_estimate_detail", args=[org_a.org.slug, estimate.pk])).content.decode()
    assert "When can you start?" in page and "Secret staff note" not in page


def test_an_empty_question_is_a_form_error(client, org_a):
    record, person = joined(org_a)
    estimate = estimate_make(org_a, client=record, sent=True)
    client.force_login(person)
    assert _ask(client, org_a, estimate, "").status_code == 400
    assert not ClientRequest.objects.filter(client=record).exists()
