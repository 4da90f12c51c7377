"""Client pages: create (validation, duplicate warning), list (filters, keyset pages, fixed
queries), the record page and its sections, inline case number, delete and support's restore."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.audit.models import AuditAction, AuditEvent
from portico.clients import actions
from portico.clients.models import Client, ClientStatus, Group
from portico.core.actors import Actor


def _staff(w):
    return Actor(kind="staff", user=w.admin)


def _client(w, name="Ana López", **kw):
    return actions.client_create(org=w.org, actor=_staff(w), name=name, **kw)


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_create_validates_the_phone_and_stores_e164(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("client_create", args=["alpha"])
    response = client.post(url, {"kind": "person", "record_type": "client", "name": "Ana", "phone": "12"})
    assert b"Enter a valid phone number" in response.content and not Client.objects.exists()
    response = client.post(
        url, {"kind": "person", "record_type": "client", "name": "Ana", "phone": "55 1234 5678", "email": "Ana@X.test"}
    )
    created = Client.objects.get()
    assert response["Location"] == reverse("client_detail", args=["alpha", created.pk])
    assert (created.phone, created.email, created.status) == ("+525512345678", "ana@x.test", ClientStatus.NOT_INVITED)


def test_create_warns_about_a_duplicate_then_creates_on_confirmation(client, org_a):
    _client(org_a, email="ana@x.test")
    client.force_login(org_a.admin)
    url = reverse("client_create", args=["alpha"])
    form = {"kind": "person", "record_type": "client", "name": "Ana again", "email": "ANA@x.test"}
    response = client.post(url, form)
    assert b"already exists" in response.content and Client.objects.count() == 1
    response = client.post(url, {**form, "confirm_duplicate": "on"})
    assert response.status_code == 302 and Client.objects.count() == 2


def test_create_with_a_profile_makes_an_active_client(client, org_a):
    client.force_login(org_a.admin)
    client.post(
        reverse("client_create", args=["alpha"]),
        {"kind": "company", "record_type": "client", "name": "Acme SA", "create_profile": "on"},
    )
    assert Client.objects.get().status == ClientStatus.ACTIVE


def test_the_list_filters_and_pages_by_keyset(client, org_a, org_b):
    for i in range(30):
        _client(org_a, name=f"Client {i:02}")
    archived = _client(org_a, name="Archived one")
    actions.client_status_change(action="archive", client=archived, actor=_staff(org_a))
    _client(org_b, name="Beta's client")
    client.force_login(org_a.admin)
    url = reverse("client_list", args=["alpha"])
    first = client.get(url)
    assert len(first.context["page"].rows) == 25 and first.context["page"].total == 31
    assert b"Beta&#x27;s client" not in first.content
    second = client.get(url, {"cursor": first.context["page"].next_cursor})
    names = {c.name for c in first.context["page"].rows} | {c.name for c in second.context["page"].rows}
    assert len(names) == 31 and second.context["page"].next_cursor is None
    archived_only = client.get(url, {"status": "archived"})
    assert [c.name for c in archived_only.context["page"].rows] == ["Archived one"]
    by_name = client.get(url, {"sort": "name"})
    assert by_name.context["page"].rows[0].name == "Archived one"


def test_filters_by_group_navigator_and_type(client, org_a):
    target = _client(org_a, name="Target")
    _client(org_a, name="Other")
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Youth")
    actions.client_set_groups(client=target, actor=_staff(org_a), groups=[group])
    actions.client_assign_navigator(client=target, actor=_staff(org_a), navigator=org_a.readonly)
    client_type = org_a.org.client_types.first()
    actions.client_update(client=target, actor=_staff(org_a), client_type=client_type)
    client.force_login(org_a.admin)
    url = reverse("client_list", args=["alpha"])
    for params in ({"group": group.pk}, {"navigator": org_a.readonly.pk}, {"client_type": client_type.pk}):
        assert [c.name for c in client.get(url, params).context["page"].rows] == ["Target"], params
    client.force_login(org_a.readonly)
    assert [c.name for c in client.get(reverse("my_clients", args=["alpha"])).context["page"].rows] == ["Target"]


def test_list_query_count_is_fixed_for_2_or_25_rows(client, org_a):
    client.force_login(org_a.admin)
    url = reverse("client_list", args=["alpha"])
    warning = actions.warning_create(
        org=org_a.org, actor=_staff(org_a), label="Allergy", colour="#aa0000", icon="heart"
    )
    for i in range(2):
        actions.client_set_warnings(client=_client(org_a, name=f"A{i}"), actor=_staff(org_a), warnings=[warning])
    client.get(url)
    # session, user, memberships (+org, role); the page (+type, warnings as JSON). The whole result
    # is on the page, so no count. The filter drop-downs load separately, when the panel opens.
    assert _queries(client, url) == 4
    for i in range(30):
        actions.client_set_warnings(client=_client(org_a, name=f"B{i}"), actor=_staff(org_a), warnings=[warning])
    full = _queries(client, url)
    for i in range(30):
        _client(org_a, name=f"C{i}")
    # A full page adds the total: SQLite counts; PostgreSQL asks the planner first (at scale
    # that estimate is the answer) and counts exactly (capped) only small results, as here.
    expected = 5 if connection.vendor == "sqlite" else 6
    assert full == _queries(client, url) == expected
    cursor = client.get(url).context["page"].next_cursor
    assert _queries(client, url, data={"cursor": cursor}) == expected
    assert _queries(client, url, data={"status": "active", "group": 1}) == 4


def test_the_filter_panel_loads_its_choices_on_demand(client, org_a):
    actions.group_create(org=org_a.org, actor=_staff(org_a), name="Youth")
    client.force_login(org_a.admin)
    url = reverse("client_list", args=["alpha"])
    assert b"Youth" not in client.get(url).content
    panel = client.get(url, {"panel": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Youth" in panel and "<nav" not in panel
    assert b"Youth" in client.get(url, {"show_filters": "1"}).content


def test_the_record_page_shows_the_box_sections_and_timeline(client, org_a):
    record = _client(org_a, email="ana@x.test")
    client.force_login(org_a.admin)
    url = reverse("client_detail", args=["alpha", record.pk])
    page = client.get(url).content.decode()
    assert record.case_number in page and "Not invited" in page and "Client created" in page
    for section in ("status", "groups", "navigators", "options"):
        response = client.get(url, {"section": section})
        assert response.status_code == 200
    partial = client.get(url, {"section": "options"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="section"') and "Delete record" in partial


def test_the_record_page_query_count_does_not_grow(client, org_a):
    record = _client(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_detail", args=["alpha", record.pk])
    client.get(url)
    few = _queries(client, url, data={"section": "groups"})
    for i in range(5):
        group = actions.group_create(org=org_a.org, actor=_staff(org_a), name=f"G{i}")
        actions.client_set_groups(client=record, actor=_staff(org_a), groups=[*record.groups.all(), group])
    client.get(url)  # the first page after a change reloads the organization's reference lists, once
    assert _queries(client, url, data={"section": "groups"}) == few


def test_without_delete_permission_the_option_is_absent(client, org_a):
    record = _client(org_a)
    client.force_login(org_a.readonly)
    page = client.get(reverse("client_detail", args=["alpha", record.pk]), {"section": "options"}).content
    assert b"Delete record" not in page
    assert client.post(reverse("client_delete", args=["alpha", record.pk])).status_code == 403


def test_inline_case_number_edit_saves_and_refuses_duplicates(client, org_a):
    a, b = _client(org_a), _client(org_a, name="B")
    client.force_login(org_a.admin)
    url = reverse("client_case_number", args=["alpha", b.pk])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="case_number"' in form and b.case_number in form
    response = client.post(url, {"case_number": a.case_number}, HTTP_HX_REQUEST="true")
    assert "already used" in response.content.decode()
    response = client.post(url, {"case_number": "NEW-7"}, HTTP_HX_REQUEST="true")
    assert "NEW-7" in response.content.decode()
    b.refresh_from_db()
    assert b.case_number == "NEW-7"


def test_status_buttons_move_the_client(client, org_a):
    record = _client(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_status", args=["alpha", record.pk])
    client.post(url, {"action": "archive"})
    record.refresh_from_db()
    assert record.status == ClientStatus.ARCHIVED
    response = client.post(url, {"action": "close"}, follow=True)
    assert b"Cannot close: the client is archived." in response.content
    record.refresh_from_db()
    assert record.status == ClientStatus.ARCHIVED


def test_deleted_records_leave_lists_and_support_restores_them(client, org_a, operator):
    record = _client(org_a, name="Gone Soon")
    client.force_login(org_a.admin)
    assert b"Delete the record of" in client.get(reverse("client_delete", args=["alpha", record.pk])).content
    response = client.post(reverse("client_delete", args=["alpha", record.pk]), follow=True)
    assert b"was deleted" in response.content and response.context["page"].rows == []
    assert client.get(reverse("client_detail", args=["alpha", record.pk])).status_code == 404
    assert client.get(reverse("deleted_clients", args=["alpha"])).status_code == 403
    client.force_login(operator)
    assert b"Gone Soon" in client.get(reverse("deleted_clients", args=["alpha"])).content
    response = client.post(reverse("client_restore", args=["alpha", record.pk]))
    assert response.status_code == 302
    assert client.get(reverse("client_detail", args=["alpha", record.pk])).status_code == 200


def test_groups_page_creates_groups_and_counts_members(client, org_a):
    client.force_login(org_a.admin)
    client.post(reverse("group_list", args=["alpha"]), {"name": "Youth"})
    response = client.post(reverse("group_list", args=["alpha"]), {"name": "youth"})
    assert b"already exists" in response.content
    client.force_login(org_a.readonly)
    assert client.post(reverse("group_list", args=["alpha"]), {"name": "X"}).status_code == 403


@pytest.mark.parametrize("status", ["closed", "inactive"])
def test_reports_count_closed_and_inactive_clients(client, org_a, status):
    record = _client(org_a, create_profile=True)
    actions.client_transition(
        client=record, action="close" if status == "closed" else "deactivate", actor=_staff(org_a)
    )
    client.force_login(org_a.readonly)
    response = client.get(reverse("reports", args=["alpha"]))
    rows = dict(response.context["status_rows"])
    assert rows[ClientStatus(status).label] == 1 and response.context["total"] == 1


def test_admins_configure_types_and_warnings_and_staff_set_them(client, org_a):
    record = _client(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_setup", args=["alpha"])
    client.post(url, {"add_type": "1", "name": "Youth services"})
    client.post(url, {"add_warning": "1", "label": "Safety", "colour": "#aa0000", "icon": "shield"})
    response = client.post(url, {"add_warning": "1", "label": "safety", "colour": "#aa0000", "icon": "shield"})
    assert b"already exists" in response.content
    response = client.post(url, {"add_warning": "1", "label": "Bad", "colour": "red", "icon": "shield"})
    assert response.status_code == 200 and b"Enter a valid value" in response.content
    warning = org_a.org.warning_indicators.get()
    assert "Youth services" in org_a.org.client_types.values_list("name", flat=True)
    client.post(reverse("client_set_warnings", args=["alpha", record.pk]), {"warnings": [warning.pk]})
    page = client.get(reverse("client_list", args=["alpha"])).content.decode()
    assert "Safety" in page
    client.force_login(org_a.readonly)
    assert client.get(url).status_code == 403


def test_the_case_number_pattern_is_configurable_and_checked(client, org_a):
    client.force_login(org_a.admin)
    form = {"name": "Alpha Org", "language": "en", "case_number_pattern": "{nope}"}
    response = client.post(reverse("org_settings", args=["alpha"]), form)
    assert b"needs {seq}" in response.content
    client.post(reverse("org_settings", args=["alpha"]), {**form, "case_number_pattern": "AL-{seq:04}"})
    org_a.org.refresh_from_db()
    assert _client(org_a).case_number == "AL-0001"


def test_uploading_an_image_keeps_a_clean_copy_and_refuses_a_disguised_text_file(client, org_a):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    record = _client(org_a)
    client.force_login(org_a.admin)
    url = reverse("client_image", args=["alpha", record.pk])
    fake = SimpleUploadedFile("photo.jpg", b"just some text, not a picture", content_type="image/jpeg")
    response = client.post(url, {"image": fake}, follow=True)
    assert b"This file is not an image" in response.content
    record.refresh_from_db()
    assert not record.image
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "teal").save(buffer, format="JPEG")
    client.post(url, {"image": SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")})
    record.refresh_from_db()
    with Image.open(record.image) as img, Image.open(record.thumbnail) as thumb:
        assert max(img.size) == 1024 and thumb.size == (128, 128)
    assert "me.jpg" not in record.image.name
    page = client.get(reverse("client_list", args=["alpha"])).content.decode()
    thumb_url = reverse("client_image_file", args=["alpha", record.pk, "thumb"])
    assert thumb_url in page
    served = client.get(thumb_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_images_are_served_only_inside_their_organization(client, org_a, org_b):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    record = _client(org_a)
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "red").save(buffer, format="PNG")
    actions.client_set_image(client=record, actor=_staff(org_a), upload=SimpleUploadedFile("a.png", buffer.getvalue()))
    client.force_login(org_b.admin)
    assert client.get(reverse("client_image_file", args=["alpha", record.pk, "thumb"])).status_code == 404
    assert client.get(reverse("client_image_file", args=["beta", record.pk, "thumb"])).status_code == 404


def test_large_totals_are_estimated_on_postgresql_and_exact_below_the_limit(org_a, monkeypatch):
    from portico.clients import selectors
    from portico.core import keyset

    monkeypatch.setattr(keyset, "EXACT_COUNT_LIMIT", 10)
    for i in range(30):
        _client(org_a, name=f"N{i}")
    total, estimated = keyset.queryset_count(
        selectors.client_filtered(org=org_a.org, filters=selectors.ClientFilters())
    )
    if connection.vendor == "sqlite":
        assert (total, estimated) == (30, False)
    else:
        assert estimated and total > 10  # the planner's figure, shown as "about N"
    archived = selectors.ClientFilters(status="archived")
    assert keyset.queryset_count(selectors.client_filtered(org=org_a.org, filters=archived)) == (0, False)


def test_the_groups_overlay_applies_only_what_changed(client, org_a):
    record = _client(org_a)
    youth, housing = (actions.group_create(org=org_a.org, actor=_staff(org_a), name=n) for n in ("Youth", "Housing"))
    client.force_login(org_a.admin)
    url = reverse("client_groups", args=["alpha", record.pk])
    # The page was opened with no groups; meanwhile a bulk change put the client in Housing.
    actions.client_set_groups(client=record, actor=_staff(org_a), groups=[housing])
    client.post(url, {"groups": [youth.pk]})  # ticked Youth, saw no Housing
    assert set(record.groups.values_list("name", flat=True)) == {"Youth", "Housing"}
    client.post(url, {"shown": [youth.pk]})  # the remove icon next to Youth
    assert set(record.groups.values_list("name", flat=True)) == {"Housing"}


def test_bad_input_gets_a_clear_answer_not_a_500(client, org_a):
    import base64
    import json

    record = _client(org_a)
    client.force_login(org_a.admin)
    cursor = base64.urlsafe_b64encode(json.dumps([None, 1]).encode()).decode()
    url = reverse("client_list", args=["alpha"])
    assert client.get(url, {"sort": "name", "cursor": cursor}).status_code == 200
    assert client.get(url, {"group": str(10**30)}).status_code == 200
    assert client.get(reverse("search", args=["alpha"]), {"q": "x\x00y"}).status_code == 200
    response = client.post(
        reverse("client_case_number", args=["alpha", record.pk]), {"case_number": "X" * 41}, HTTP_HX_REQUEST="true"
    )
    assert "at most 40 characters" in response.content.decode()


def test_editing_saves_only_the_fields_that_changed(client, org_a):
    record = _client(org_a, email="old@x.test")
    client.force_login(org_a.admin)
    url = reverse("client_edit", args=["alpha", record.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["client_type"] = data["client_type"].pk if hasattr(data["client_type"], "pk") else data["client_type"]
    seen = {f"initial-{k}": v for k, v in data.items()}  # the hidden copies the page carries
    actions.client_update(client=record, actor=_staff(org_a), email="new@x.test")  # someone else, meanwhile
    client.post(url, {**data, **seen, "email": "old@x.test", "notes": "Called today"})
    record.refresh_from_db()
    assert (record.email, record.notes) == ("new@x.test", "Called today")


def test_an_oversized_upload_is_refused_before_it_is_read(client, org_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = _client(org_a)
    client.force_login(org_a.admin)
    huge = SimpleUploadedFile("big.jpg", b"\xff" * (6 * 1024 * 1024), content_type="image/jpeg")
    response = client.post(reverse("client_image", args=["alpha", record.pk]), {"image": huge}, follow=True)
    assert b"Images can be at most 5 MB." in response.content
    record.refresh_from_db()
    assert not record.image


def test_the_history_shows_state_labels(client, org_a):
    record = _client(org_a)
    client.force_login(org_a.admin)
    page = client.get(reverse("client_detail", args=["alpha", record.pk])).content.decode()
    assert "→ Not invited" in page and "not_invited)" not in page


def test_deleting_a_group_asks_first_and_keeps_its_clients(client, org_a):
    group = actions.group_create(org=org_a.org, actor=_staff(org_a), name="Youth")
    member = _client(org_a)
    actions.client_set_groups(client=member, actor=_staff(org_a), groups=[group])
    client.force_login(org_a.admin)
    url = reverse("group_delete", args=["alpha", group.pk])
    page = client.get(url).content.decode()
    assert "Delete the group “Youth”?" in page and "1 client leaves the group" in page
    assert Group.objects.filter(pk=group.pk).exists()  # GET only asks
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("group_list", args=["alpha"])
    assert not Group.objects.filter(pk=group.pk).exists()
    assert Client.objects.filter(pk=member.pk, deleted_at=None).exists()
    assert AuditEvent.objects.get(action=AuditAction.GROUP_DELETED).detail == {"clients": 1}
