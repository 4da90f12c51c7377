"""Every keyset list's "More" link reaches the next page with the list's filters kept: the client
list, a group's page, the requests inbox, the notifications list and support's deleted records
(the audit log, sent messages and invitations have tests of their own)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portico.clients.actions import client_delete, group_create
from portico.core.actors import Actor
from portico.notifications.models import Notification
from testing.requests import request_make
from testing.world import client_make, user_create

pytestmark = pytest.mark.django_db


def _more(page: str) -> str:
    found = re.search(r'<a class="btn secondary" href="(\?[^"]*cursor=[^"]+)"', page)
    assert found, "no next-page link"
    return found.group(1).replace("&amp;", "&")


def _walk(client, url: str) -> tuple[str, str]:
    first = client.get(url).content.decode()
    more = _more(first)
    second = client.get(url.split("?")[0] + more)
    assert second.status_code == 200
    return first, second.content.decode()


def test_the_client_list_pages_on_with_its_sort(client, org_a):
    for i in range(26):
        client_make(org_a, f"Person {i:02d}")
    client.force_login(org_a.admin)
    first, second = _walk(client, reverse("client_list", args=["alpha"]) + "?sort=name")
    assert "Person 00" in first and "Person 25" not in first
    assert "Person 25" in second and "Person 00" not in second
    assert "sort=name" in _more(first)


def test_a_groups_page_pages_on(client, org_a):
    group = group_create(org=org_a.org, actor=Actor.system(), name="Youth")
    for i in range(26):
        client_make(org_a, f"Person {i:02d}")
    client.force_login(org_a.admin)
    first, second = _walk(client, reverse("group_detail", args=["alpha", group.pk]))
    assert "Person 25" in first and "Person 00" not in first  # newest first
    assert "Person 00" in second


def test_the_requests_inbox_pages_on_with_its_filter(client, org_a):
    for i in range(26):
        request_make(org_a, subject=f"Question {i:02d}")
    client.force_login(org_a.admin)
    first, second = _walk(client, reverse("request_inbox", args=["alpha"]) + "?scope=all&status=open")
    assert "Question 25" in first and "Question 00" not in first
    assert "Question 00" in second
    assert "status=open" in _more(first)


def test_the_notifications_list_pages_on(client, org_a):
    Notification.objects.bulk_create(
        Notification(
            org=org_a.org, recipient=org_a.admin, kind="request_opened", title=f"News {i:02d}", event_key=f"k{i}"
        )
        for i in range(31)
    )
    client.force_login(org_a.admin)
    first, second = _walk(client, reverse("notification_list", args=["alpha"]))
    assert "News 30" in first and "News 00" not in first
    assert "News 00" in second


def test_supports_deleted_records_page_on(client, org_a):
    for i in range(26):
        client_delete(client=client_make(org_a, f"Person {i:02d}"), actor=Actor.system())
    client.force_login(user_create("support@portico.test", operator=True))
    first, second = _walk(client, reverse("deleted_clients", args=["alpha"]))
    assert "Person 25" in first and "Person 00" not in first  # the most recently deleted first
    assert "Person 00" in second
