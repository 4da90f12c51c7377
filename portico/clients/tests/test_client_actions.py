"""Client record actions: creation with case numbers, the lifecycle table, profiles, groups,
navigators, delete and restore. Every change audited; refusals change nothing."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction

from portico.audit.models import AuditAction, AuditEvent
from portico.clients import actions
from portico.clients.models import CLIENT_TRANSITIONS, Client, ClientStatus, Group, Profile
from portico.clients.selectors import client_duplicates
from portico.core.actors import Actor
from portico.core.errors import InvalidTransition, PorticoError
from portico.orgs.actions import org_settings_update
from portico.orgs.models import case_number_pattern_check


def _staff(w):
    return Actor(kind="staff", user=w.admin)


def _client(w, name="Ana López", **kw):
    return actions.client_create(org=w.org, actor=_staff(w), name=name, **kw)


def test_a_new_client_gets_the_next_case_number_and_is_not_invited(org_a):
    with time_machine.travel(dt.datetime(2026, 5, 1, tzinfo=dt.UTC)):
        first, second = _client(org_a), _client(org_a, name="Bo")
    assert (first.case_number, second.case_number) == ("ALP-2026-00001", "ALP-2026-00002")
    assert first.status == ClientStatus.NOT_INVITED and first.profile is None
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_CREATED, target_id=str(first.pk))
    assert (event.to_state, event.detail["case_number"]) == ("not_invited", "ALP-2026-00001")


def test_case_numbers_restart_each_year_and_follow_the_pattern(org_a):
    org_a.org.case_number_pattern = "NW-{year}-{seq:03}"
    org_a.org.save()
    with time_machine.travel(dt.datetime(2026, 12, 31, tzinfo=dt.UTC)):
        assert _client(org_a).case_number == "NW-2026-001"
    with time_machine.travel(dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)):
        assert _client(org_a).case_number == "NW-2027-001"


def test_case_numbers_are_per_organization(org_a, org_b):
    a, b = _client(org_a), _client(org_b)
    assert a.case_number.endswith("00001") and b.case_number.endswith("00001")


def test_a_rolled_back_create_leaves_no_gap(org_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        _client(org_a)
        raise RuntimeError
    assert _client(org_a).case_number.endswith("00001")


def test_a_hand_typed_number_is_skipped_by_the_generator(org_a):
    first = _client(org_a)
    year = first.case_number.split("-")[1]
    actions.client_change_case_number(client=first, actor=_staff(org_a), case_number=f"ALP-{year}-00002")
    assert _client(org_a, name="Next").case_number == f"ALP-{year}-00003"


def test_invalid_case_number_patterns_are_refused():
    for bad in ("{name}-{seq}", "NW-{year}", "{seq:xx}"):
        with pytest.raises(PorticoError):
            case_number_pattern_check(bad)
    case_number_pattern_check("NW-{year}-{seq:05}")


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_get_distinct_numbers_without_gaps(org_a):
    if connection.vendor == "sqlite":
        pytest.skip("needs concurrent connections (runs on PostgreSQL)")
    barrier = threading.Barrier(4)

    def create(i):
        from django.db import connection as thread_connection

        barrier.wait()
        try:
            _client(org_a, name=f"P{i}")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = sorted(Client.objects.filter(org=org_a.org).values_list("case_number", flat=True))
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003", "00004"]


def test_create_profile_before_acceptance_makes_the_client_active(org_a):
    client = _client(org_a, email="ana@x.test", create_profile=True)
    assert client.status == ClientStatus.ACTIVE
    assert client.profile.full_name == "Ana López" and client.profile.email == "ana@x.test"
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_PROFILE_LINKED, target_id=str(client.pk)).exists()


def test_a_profile_from_the_record_is_the_organizers_when_one_is_named(org_a):
    from testing.world import user_create

    client = _client(
        org_a, email="ana@x.test", phone="55 1234 5678", address="Calle 1", date_of_birth=dt.date(1990, 1, 2)
    )
    staffs = actions.client_profile_from_record(client=client)
    fields = ("full_name", "email", "phone", "date_of_birth", "address", "language", "organizer")
    assert [getattr(staffs, f) for f in fields] == [
        "Ana López",
        "ana@x.test",
        "+525512345678",
        dt.date(1990, 1, 2),
        "Calle 1",
        client.language,
        None,
    ]
    ana = user_create("ana.lopez@mail.test", name="Ana López García")
    theirs = actions.client_profile_from_record(client=client, organizer=ana)
    assert (theirs.full_name, theirs.email, theirs.phone, theirs.organizer) == (
        "Ana López García",
        "ana.lopez@mail.test",
        "+525512345678",
        ana,
    )
    ana.full_name = ""  # an account made without a name: the record's
    assert actions.client_profile_from_record(client=client, organizer=ana).full_name == "Ana López"


def test_a_point_of_contact_who_does_not_organize_the_profile_leaves_the_client_inactive(org_a):
    client = _client(org_a)
    actions.client_invitation_sent(client=client, actor=_staff(org_a))
    profile = Profile.objects.create(full_name="Family profile")
    actions.client_profile_assign(client=client, profile=profile, actor=_staff(org_a), contact_is_organizer=False)
    assert client.status == ClientStatus.INACTIVE
    other = _client(org_a, name="Organizer")
    actions.client_profile_assign(client=other, profile=Profile.objects.create(full_name="Own"), actor=_staff(org_a))
    assert other.status == ClientStatus.ACTIVE


LEGAL = [(src, action, dst) for src, moves in CLIENT_TRANSITIONS.items() for action, dst in moves.items()]


def _client_in(world, status):
    client = _client(world)
    Client.objects.filter(pk=client.pk).update(status=status)  # test set-up only: reach any state directly
    client.refresh_from_db()
    return client


@pytest.mark.parametrize(("src", "action", "dst"), LEGAL, ids=[f"{s}-{a}" for s, a, _ in LEGAL])
def test_every_move_in_the_table_works_and_is_audited(org_a, src, action, dst):
    client = _client_in(org_a, src)
    actions.client_transition(client=client, action=action, actor=_staff(org_a))
    client.refresh_from_db()
    assert client.status == dst
    event = AuditEvent.objects.filter(action=AuditAction.CLIENT_STATUS_CHANGED).latest("id")
    assert (event.from_state, event.to_state, event.detail["action"]) == (src, dst, action)


ILLEGAL = [
    (src, action)
    for src in ClientStatus.values
    for action in ("archive", "unarchive", "deactivate", "reactivate", "close", "reopen", "send_invitation")
    if action not in CLIENT_TRANSITIONS.get(src, {})
]


@pytest.mark.parametrize(("src", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_moves_outside_the_table_are_refused_and_change_nothing(org_a, src, action):
    client = _client_in(org_a, src)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition):
        actions.client_transition(client=client, action=action, actor=_staff(org_a))
    client.refresh_from_db()
    assert client.status == src and AuditEvent.objects.count() == before


def test_a_stale_status_is_refused(org_a):
    client = _client(org_a)
    stale = Client.objects.get(pk=client.pk)
    actions.client_status_change(action="archive", client=client, actor=_staff(org_a))
    with pytest.raises(PorticoError, match="Someone else changed"):
        actions.client_status_change(action="archive", client=stale, actor=_staff(org_a))


def test_changing_a_case_number_refuses_duplicates_and_empties(org_a):
    a, b = _client(org_a), _client(org_a, name="B")
    with pytest.raises(PorticoError, match="already used"):
        actions.client_change_case_number(client=b, actor=_staff(org_a), case_number=a.case_number)
    with pytest.raises(PorticoError, match="cannot be empty"):
        actions.client_change_case_number(client=b, actor=_staff(org_a), case_number="  ")
    actions.client_change_case_number(client=b, actor=_staff(org_a), case_number="SPECIAL-1")
    b.refresh_from_db()
    assert b.case_number == "SPECIAL-1"
    assert AuditEvent.objects.get(action=AuditAction.CLIENT_CASE_NUMBER_CHANGED).detail["to"] == "SPECIAL-1"


def test_duplicates_are_found_by_email_or_phone(org_a, org_b):
    original = _client(org_a, email="Ana@X.test", phone="+525512345678")
    _client(org_b, email="ana@x.test")
    assert client_duplicates(org=org_a.org, email="ana@x.test") == [original]
    assert client_duplicates(org=org_a.org, phone="+525512345678") == [original]
    assert client_duplicates(org=org_a.org, email="other@x.test") == []


def test_groups_are_set_as_a_whole_and_audited(org_a, org_b):
    client = _client(org_a)
    g1, g2 = (actions.group_create(org=org_a.org, actor=_staff(org_a), name=n) for n in ("Youth", "Housing"))
    actions.client_set_groups(client=client, actor=_staff(org_a), groups=[g1, g2])
    actions.client_set_groups(client=client, actor=_staff(org_a), groups=[g2])
    assert list(client.groups.values_list("name", flat=True)) == ["Housing"]
    last = AuditEvent.objects.filter(action=AuditAction.CLIENT_GROUPS_CHANGED).latest("id")
    assert last.detail == {"added": [], "removed": ["Youth"]}
    foreign = Group.objects.create(org=org_b.org, name="Theirs")
    with pytest.raises(PorticoError):
        actions.client_set_groups(client=client, actor=_staff(org_a), groups=[foreign])


def test_only_active_staff_of_the_org_can_be_navigators(org_a, org_b):
    client = _client(org_a)
    actions.client_assign_navigator(client=client, actor=_staff(org_a), navigator=org_a.readonly)
    with pytest.raises(PorticoError, match="already assigned"):
        actions.client_assign_navigator(client=client, actor=_staff(org_a), navigator=org_a.readonly)
    with pytest.raises(PorticoError, match="Only active staff"):
        actions.client_assign_navigator(client=client, actor=_staff(org_a), navigator=org_b.admin)
    actions.client_unassign_navigator(client=client, actor=_staff(org_a), navigator=org_a.readonly)
    with pytest.raises(PorticoError, match="not assigned"):
        actions.client_unassign_navigator(client=client, actor=_staff(org_a), navigator=org_a.readonly)


def test_delete_keeps_the_record_and_profile_and_only_support_restores(org_a, operator):
    client = _client(org_a, create_profile=True)
    actions.client_delete(client=client, actor=_staff(org_a))
    row = Client.objects.get(pk=client.pk)
    assert (
        row.deleted_at and row.profile_id == client.profile_id and Profile.objects.filter(pk=client.profile_id).exists()
    )
    with pytest.raises(PorticoError, match="already deleted"):
        actions.client_delete(client=row, actor=_staff(org_a))
    with pytest.raises(PorticoError, match="Only support"):
        actions.client_restore(client=row, actor=_staff(org_a))
    actions.client_restore(client=row, actor=Actor(kind="support", user=operator))
    assert Client.objects.get(pk=client.pk).deleted_at is None
    assert AuditEvent.objects.get(action=AuditAction.CLIENT_RESTORED).actor_user == operator


def test_a_deleted_client_cannot_change_status(org_a):
    client = _client(org_a)
    actions.client_delete(client=client, actor=_staff(org_a))
    with pytest.raises(PorticoError):
        actions.client_status_change(action="archive", client=client, actor=_staff(org_a))


def test_new_organizations_get_the_default_client_types(org_a):
    assert list(org_a.org.client_types.values_list("name", flat=True)) == [
        "Potential Client",
        "Direct Service Client",
        "Case Management",
    ]
    org_settings_update(org=org_a.org, actor=_staff(org_a), name="Renamed")
