"""Tokens: refreshed when expired or about to expire; FreshBooks rotates the refresh token, so the
new one is stored (sealed) and the old one no longer works; the refresh commits on its own, so a
failure of the call that needed it does not lose the rotated token."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from portico.core.crypto import secret_open
from portico.freshbooks import freshbooks_api
from portico.freshbooks.actions import customer_freshbooks_connect, freshbooks_token_fresh
from portico.freshbooks.models import FreshbooksConnection
from portico.freshbooks.tests.factories import connect, customer_make, staff


def _stored(org) -> FreshbooksConnection:
    return FreshbooksConnection.objects.get(org=org)


def test_an_expired_access_token_is_refreshed_and_the_refresh_token_rotated(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    before = _stored(org_a.org)
    old_refresh, old_access = secret_open(before.refresh_token), secret_open(before.access_token)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        customer = customer_freshbooks_connect(customer=customer_make(org_a), actor=staff(org_a))
    assert customer.freshbooks_id and len(fake_freshbooks.clients) == 1
    after = _stored(org_a.org)
    new_refresh, new_access = secret_open(after.refresh_token), secret_open(after.access_token)
    assert after.refresh_token != before.refresh_token and new_refresh != old_refresh
    assert new_access != old_access and after.refreshed_at is not None
    assert after.expires_at > before.expires_at
    # FreshBooks took the new pair and refuses the old refresh token from now on.
    assert fake_freshbooks.refresh_usable(new_refresh) and not fake_freshbooks.refresh_usable(old_refresh)
    with pytest.raises(freshbooks_api.FreshbooksUnavailable) as refused:
        freshbooks_api.token_refresh(old_refresh)
    assert "The provided authorization grant is invalid" in str(refused.value.message)


def test_a_token_about_to_expire_is_refreshed_and_a_fresh_one_is_not(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    calls = len(fake_freshbooks.calls("token"))
    freshbooks_token_fresh(org=org_a.org)
    assert len(fake_freshbooks.calls("token")) == calls  # twelve hours left: no refresh
    FreshbooksConnection.objects.filter(org=org_a.org).update(expires_at=timezone.now() + dt.timedelta(minutes=2))
    token = freshbooks_token_fresh(org=org_a.org)
    assert len(fake_freshbooks.calls("token")) == calls + 1
    assert token.token == secret_open(_stored(org_a.org).access_token)


def test_the_rotated_token_is_kept_even_when_the_create_then_fails(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    old_refresh = secret_open(_stored(org_a.org).refresh_token)
    customer = customer_make(org_a)
    fake_freshbooks.fail_next("create", 500)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=13)):
        with pytest.raises(freshbooks_api.FreshbooksUnavailable):
            customer_freshbooks_connect(customer=customer, actor=staff(org_a))
        kept = secret_open(_stored(org_a.org).refresh_token)
        assert kept != old_refresh and fake_freshbooks.refresh_usable(kept)
        # The next click works with the kept tokens (no second refresh needed).
        calls = len(fake_freshbooks.calls("token"))
        customer_freshbooks_connect(customer=customer, actor=staff(org_a))
        assert len(fake_freshbooks.calls("token")) == calls
    customer.refresh_from_db()
    assert customer.freshbooks_id


def test_a_refused_refresh_changes_nothing_and_says_to_reconnect(org_a, fake_freshbooks):
    connect(org_a, fake_freshbooks)
    before = _stored(org_a.org)
    fake_freshbooks.refresh_tokens[secret_open(before.refresh_token)] = False  # revoked in FreshBooks
    customer = customer_make(org_a)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=13)),
        pytest.raises(freshbooks_api.FreshbooksUnavailable) as refused,
    ):
        customer_freshbooks_connect(customer=customer, actor=staff(org_a))
    assert "an administrator must connect it again" in str(refused.value.message)
    after = _stored(org_a.org)
    assert (after.access_token, after.refresh_token, after.expires_at) == (
        before.access_token, before.refresh_token, before.expires_at,
    )  # fmt: skip
    customer.refresh_from_db()
    assert customer.freshbooks_id == "" and not fake_freshbooks.clients
