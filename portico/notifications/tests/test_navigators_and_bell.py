"""Who hears about a client's request (only its assigned navigators; muted for closed and
inactive records when the organization says so), the bell and the notifications list."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.clients.actions import client_assign_navigator
from portico.clients.models import Client, ClientStatus
from portico.core.actors import Actor
from portico.notifications import selectors
from portico.notifications.actions import Event, notify_navigators, notify_user
from portico.notifications.models import EventKind, Notification, NotificationPreference, PushSubscription
from portico.orgs.actions import membership_add, org_settings_update
from portico.outbox.models import OutboxMessage
from testing.requests import request_make
from testing.world import client_make, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_staff(org_a):
    staff = []
    for name in ("ann", "ben", "cat"):
        user = user_create(f"{name}@alpha.test")
        membership_add(org=org_a.org, user=user, role=org_a.roles["Navigator"], actor=Actor.system())
        staff.append(user)
    return staff


@pytest.fixture
def assigned_client(org_a, three_staff):
    client = client_make(org_a, name="Nora Client", email="nora@example.test")
    for user in three_staff[:2]:
        client_assign_navigator(client=client, actor=Actor.system(), navigator=user)
    return client


def test_only_assigned_navigators_are_notified(org_a, three_staff, assigned_client, deliver):
    ann, ben, cat = three_staff
    with deliver():
        request_make(org_a, client=assigned_client, subject="Rent help")
    for user in (ann, ben):
        assert Notification.objects.filter(recipient=user, client=assigned_client).count() == 1
        assert any(user.email in m.to and "Rent help" in m.subject for m in mail.outbox)
    assert not Notification.objects.filter(recipient=cat).exists()
    assert not any(cat.email in m.to for m in mail.outbox)
    assert not Notification.objects.filter(recipient=org_a.admin).exists()


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.INACTIVE])
@pytest.mark.parametrize("muted", [True, False])
def test_closed_and_inactive_clients_are_muted_when_the_org_says_so(
    org_a, three_staff, assigned_client, status, muted, deliver
):
    org_settings_update(org=org_a.org, actor=Actor.system(), mute_closed_clients=muted)
    Client.objects.filter(pk=assigned_client.pk).update(status=status)
    client = Client.objects.select_related("org").get(pk=assigned_client.pk)
    with deliver():
        request_make(org_a, client=client)
    expected = 0 if muted else 2
    assert Notification.objects.filter(client=client).count() == expected
    assert sum(1 for m in mail.outbox if m.to[0] in {u.email for u in three_staff}) == expected


def test_active_clients_are_never_muted(org_a, three_staff, assigned_client):
    org_settings_update(org=org_a.org, actor=Actor.system(), mute_closed_clients=True)
    request_make(org_a, client=assigned_client)
    assert Notification.objects.filter(client=assigned_client).count() == 2


def test_the_settings_checkbox_turns_muting_on(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("org_settings", args=[org_a.org.slug])
    assert b"Disable notifications for closed client records" in client.get(url).content
    data = {
        "name": org_a.org.name,
        "language": org_a.org.language,
        "case_number_pattern": org_a.org.case_number_pattern,
    }
    client.post(url, {**data, "mute_closed_clients": "on"})
    org_a.org.refresh_from_db()
    assert org_a.org.mute_closed_clients is True
    client.post(url, data)
    org_a.org.refresh_from_db()
    assert org_a.org.mute_closed_clients is False


def _notify(world, user, n):
    for i in range(n):
        notify_user(org=world.org, user=user, event=Event(kind="test", key=f"t:{i}", title=f"Note {i}", url="/x/"))


@pytest.mark.parametrize("rows", [1, 10])
def test_the_bell_costs_the_same_for_1_or_10_unread(client, org_a, rows, django_assert_num_queries):
    _notify(org_a, org_a.admin, rows)
    client.force_login(org_a.admin)
    url = reverse("notification_bell", args=[org_a.org.slug])
    client.get(url)
    # session, user, organization context, the unread count
    with django_assert_num_queries(4):
        response = client.get(url)
    assert f'<span class="count">{rows}</span>'.encode() in response.content
    assert b'hx-trigger="every 30s"' in response.content


def test_the_bell_is_in_the_navigation_of_organization_pages(client, org_a):
    client.force_login(org_a.admin)
    page = client.get(reverse("org_dashboard", args=[org_a.org.slug])).content.decode()
    assert reverse("notification_bell", args=[org_a.org.slug]) in page
    assert 'hx-trigger="load, every 30s"' in page
    assert reverse("notification_list", args=[org_a.org.slug]) in page


def test_unread_count_is_per_person_and_organization(org_a, org_b):
    _notify(org_a, org_a.admin, 3)
    assert selectors.unread_count(org=org_a.org, user=org_a.admin) == 3
    assert selectors.unread_count(org=org_b.org, user=org_a.admin) == 0
    assert selectors.unread_count(org=org_a.org, user=org_a.readonly) == 0


def test_opening_a_notification_marks_it_read_and_follows_it(client, org_a, org_b):
    request = request_make(org_a)
    client_assign_navigator(client=request.client, actor=Actor.system(), navigator=org_a.admin)
    _notify(org_a, org_a.admin, 2)
    first, second = Notification.objects.filter(recipient=org_a.admin).order_by("id")
    client.force_login(org_a.admin)
    response = client.get(reverse("notification_open", args=[org_a.org.slug, first.pk]))
    assert response.status_code == 302 and response["Location"] == "/x/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    list_page = client.get(reverse("notification_list", args=[org_a.org.slug]))
    assert b"Note 1" in list_page.content and b"Mark all read" in list_page.content
    client.post(reverse("notification_read", args=[org_a.org.slug]))
    assert selectors.unread_count(org=org_a.org, user=org_a.admin) == 0
    # Someone else's notification is a 404, and so is every page to another organization's staff.
    client.force_login(org_a.readonly)
    assert client.get(reverse("notification_open", args=[org_a.org.slug, second.pk])).status_code == 404
    client.force_login(org_b.admin)
    for name in ("notification_list", "notification_bell"):
        assert client.get(reverse(name, args=[org_a.org.slug])).status_code == 404
    assert client.get(reverse("notification_open", args=[org_a.org.slug, second.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[org_a.org.slug])).status_code == 404


def test_mark_one_read(client, org_a):
    _notify(org_a, org_a.admin, 2)
    first = Notification.objects.filter(recipient=org_a.admin).order_by("id").first()
    client.force_login(org_a.admin)
    client.post(reverse("notification_read", args=[org_a.org.slug]), {"id": first.pk})
    assert selectors.unread_count(org=org_a.org, user=org_a.admin) == 1


def _navigators(world, client, n):
    """``n`` navigators of ``client``, each told in the app, by email, SMS and push on one device."""
    for i in range(n):
        user = user_create(f"nav{i}@alpha.test")
        user.phone = f"+5255123456{i:02}"
        user.save()
        membership_add(org=world.org, user=user, role=world.roles["Navigator"], actor=Actor.system())
        client_assign_navigator(client=client, actor=Actor.system(), navigator=user)
        NotificationPreference.objects.create(
            org=world.org, user=user, kind=EventKind.REQUEST_OPENED, channels=["in_app", "email", "sms", "push"]
        )
        PushSubscription.objects.create(user=user, endpoint=f"https://push.test/{i}", p256dh="k", auth="a")


@pytest.mark.parametrize("navigators", [1, 3])
def test_telling_more_navigators_reads_their_choices_once(org_a, navigators):
    client = client_make(org_a, name="Nora Client", email="nora@example.test")
    _navigators(org_a, client, navigators)
    client = Client.objects.select_related("org").get(pk=client.pk)
    event = Event(kind=EventKind.REQUEST_OPENED, key="opened:1", title="Nora made a request", url="/x/")
    with CaptureQueriesContext(connection) as queries:
        assert len(notify_navigators(client=client, event=event)) == navigators
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # Once for everyone: the navigators, their preferences, their devices. Per person only what
    # is theirs: the bell's row and their messages (each a look-up of its key, then an INSERT).
    assert [sql for sql in reads if "outbox_outboxmessage" not in sql] == [
        reads[0],
        next(sql for sql in reads if "notificationpreference" in sql),
        next(sql for sql in reads if "pushsubscription" in sql),
    ]
    assert OutboxMessage.objects.count() == 3 * navigators  # email, SMS, push each
    assert set(OutboxMessage.objects.values_list("channel", flat=True)) == {"email", "push", "sms"}
