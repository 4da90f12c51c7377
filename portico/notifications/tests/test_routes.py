"""Which channel and address reach a person: staff by the channels they chose, a client by the
one they chose on the portal (email when SMS has no number to go to)."""

import pytest

from portico.accounts.models import NotifyBy
from portico.notifications.selectors import address_of, client_route
from portico.outbox.models import Channel
from testing.world import user_create

pytestmark = pytest.mark.django_db


def test_each_channel_goes_to_its_address():
    person = user_create("ana@example.test")
    person.phone = "+525512345678"
    assert address_of(person, Channel.EMAIL) == "ana@example.test"
    assert address_of(person, Channel.SMS) == "+525512345678"
    person.phone = ""
    assert address_of(person, Channel.SMS) == ""


def test_a_client_hears_by_the_channel_they_chose():
    person = user_create("ana@example.test")
    assert client_route(person) == (Channel.EMAIL, "ana@example.test")
    person.notify_by, person.phone = NotifyBy.SMS, "+525512345678"
    assert client_route(person) == (Channel.SMS, "+525512345678")
    person.phone = ""  # no number: email rather than nothing
    assert client_route(person) == (Channel.EMAIL, "ana@example.test")
