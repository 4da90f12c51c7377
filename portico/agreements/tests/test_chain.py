"""The agreement's event chain: any edit of the trail is detectable."""

from __future__ import annotations

import pytest

from portico.agreements.chain import chain_verify, event_append, trail_json
from portico.agreements.models import AgreementEvent, AgreementEventKind
from portico.agreements.tests.factories import agreement_sent_make

pytestmark = pytest.mark.django_db


def test_a_fresh_chain_verifies_and_links_each_event_to_the_one_before(org_a):
    agreement = agreement_sent_make(org_a)
    events = list(AgreementEvent.objects.filter(agreement=agreement).order_by("seq"))
    assert [e.seq for e in events] == [1, 2]
    assert events[0].prev_hash == "" and events[1].prev_hash == events[0].hash
    assert agreement.chain_head == events[1].hash
    assert chain_verify(agreement).intact
    assert trail_json(agreement)["chain_intact"] is True


def test_changing_one_event_is_detected(org_a):
    agreement = agreement_sent_make(org_a)
    first = AgreementEvent.objects.get(agreement=agreement, seq=1)
    # A direct UPDATE, as someone with database access would do it.
    AgreementEvent.objects.filter(pk=first.pk).update(actor_label="someone else")
    verdict = chain_verify(agreement)
    assert not verdict.intact and verdict.broken_at == 1


def test_removing_the_last_event_is_detected(org_a):
    agreement = agreement_sent_make(org_a)
    event_append(agreement=agreement, kind=AgreementEventKind.VIEWED, actor_label="client")
    AgreementEvent.objects.filter(agreement=agreement, seq=3).delete()
    agreement.refresh_from_db()
    assert not chain_verify(agreement).intact


def test_event_data_is_stored_exactly_as_hashed(org_a):
    agreement = agreement_sent_make(org_a)
    event_append(agreement=agreement, kind=AgreementEventKind.VIEWED, actor_label="c", data={"b": 1, "a": [1, "x"]})
    agreement.refresh_from_db()
    assert chain_verify(agreement).intact


def test_events_already_loaded_are_checked_without_reading_them_again(org_a, django_assert_num_queries):
    agreement = agreement_sent_make(org_a)
    events = list(AgreementEvent.objects.filter(agreement=agreement).order_by("seq"))
    with django_assert_num_queries(0):
        assert chain_verify(agreement, events).intact
