"""The client's requests in the portal: make a request, read the thread (never internal notes),
reply, attachments only for whoever may see them, and being told when staff answer."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portico.clients.models import Client, Profile
from portico.core.actors import Actor, ActorKind
from portico.core.tokens import token_digest
from portico.invitations import actions as invitations
from portico.invitations.models import InvitationLink
from portico.portal.actions import portal_account_change_status
from portico.portal.models import PortalAccount, PortalAccountStatus, PortalSettings
from portico.requests.actions import request_open, request_reply
from portico.requests.models import Attachment, ClientRequest, RequestKind, RequestMessage, RequestStatus
from portico.requests.selectors import request_kinds
from portico.requests.uploads import MAX_ATTACHMENT_BYTES
from testing.world import PASSWORD, client_make, portal_set_up

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a tiny test pdf\n"


def accepted(world, name="Mark Client", email="mark@example.test", user=None):
    """A client record of ``world`` whose invitation ``user`` (or a new login) accepted."""
    if not PortalSettings.objects.filter(org=world.org).exists():
        portal_set_up(world)
    record = client_make(world, name, email=email)
    invitation = invitations.invitation_send(client=record, actor=Actor.system())
    raw = f"tok-{world.org.slug}-{record.pk}"
    InvitationLink.objects.filter(invitation=invitation).update(token_digest=token_digest(raw))
    account = invitations.invitation_accept(raw_token=raw, actor=Actor.system(), user=user, password=PASSWORD)
    return record, account.user


def staff(world):
    return Actor(kind=ActorKind.STAFF, user=world.admin)


def open_one(world, record, person, subject="Help with my papers", files=None):
    kind = request_kinds(org=world.org, offered_only=True)[0]
    return request_open(
        client=record,
        actor=Actor(kind=ActorKind.CLIENT, user=person),
        kind=kind,
        subject=subject,
        body="Please help.",
        files=files,
    )


def url(name, world, *args):
    return reverse(name, args=[world.org.slug, *args])


def test_make_a_request_with_a_pdf_and_read_the_thread(client, org_a):
    record, person = accepted(org_a)
    client.force_login(person)
    home = client.get(url("portal_org_home", org_a)).content.decode()
    assert url("portal_request_new", org_a) in home and "Your requests" in home
    empty = client.get(url("portal_request_list", org_a)).content.decode()
    assert 'id="requests-empty"' in empty and url("portal_request_new", org_a) in empty
    form = client.get(url("portal_request_new", org_a))
    assert form.status_code == 200
    kinds = list(RequestKind.objects.filter(org=org_a.org))
    assert [k.name for k in kinds] == ["Information", "Service"]
    assert "Information" in form.content.decode()

    response = client.post(
        url("portal_request_new", org_a),
        {
            "record": record.pk,
            "kind": kinds[1].pk,
            "subject": "Renew my card",
            "body": "My card expires soon.",
            "attachments": [SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")],
        },
    )
    opened = ClientRequest.objects.get()
    assert response.status_code == 302
    assert response.url == url("portal_request_detail", org_a, opened.pk)
    assert (opened.client, opened.kind, opened.subject, opened.opened_by) == (record, kinds[1], "Renew my card", person)
    message = RequestMessage.objects.get()
    assert message.from_client and message.body == "My card expires soon."
    attachment = Attachment.objects.get()
    assert (attachment.message, attachment.name, attachment.content_type) == (message, "scan.pdf", "application/pdf")

    page = client.get(response.url).content.decode()
    assert "Renew my card" in page and "My card expires soon." in page and "scan.pdf" in page
    file_url = url("portal_request_attachment", org_a, opened.pk, attachment.pk)
    assert file_url in page
    download = client.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert "private" in download["Cache-Control"]

    listing = client.get(url("portal_request_list", org_a)).content.decode()
    assert "Renew my card" in listing and "Service" in listing
    assert "Renew my card" in client.get(url("portal_org_home", org_a)).content.decode()


def test_staff_reply_shows_internal_note_never(client, org_a, deliver):
    record, person = accepted(org_a)
    opened = open_one(org_a, record, person)
    with deliver():
        request_reply(client_request=opened, actor=staff(org_a), body="We are on it.", from_client=False)
    note = request_reply(
        client_request=opened,
        actor=staff(org_a),
        body="SECRET internal remark",
        from_client=False,
        internal=True,
        files=[SimpleUploadedFile("note.pdf", PDF)],
    )
    client.force_login(person)
    page = client.get(url("portal_request_detail", org_a, opened.pk)).content.decode()
    assert "We are on it." in page and "Alpha Org" in page and "Reply needed" in page
    assert "SECRET" not in page and "note.pdf" not in page
    hidden = note.attachments.get()
    assert client.get(url("portal_request_attachment", org_a, opened.pk, hidden.pk)).status_code == 404

    # The client heard by email, with a link to the thread.
    sent = [m for m in mail.outbox if m.to == [person.email]]
    assert sent and "Alpha Org" in sent[-1].subject
    assert url("portal_request_detail", org_a, opened.pk) in sent[-1].body

    # The client replies: the request is open again.
    response = client.post(
        url("portal_request_detail", org_a, opened.pk),
        {"body": "Thanks!", "attachments": [SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)]},
    )
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.status == RequestStatus.OPEN
    reply = RequestMessage.objects.filter(client_request=opened).last()
    assert reply.from_client and reply.body == "Thanks!" and reply.attachments.get().name == "photo.png"


def test_staff_reply_by_sms_when_chosen(client, org_a, deliver, fake_twilio):
    record, person = accepted(org_a)
    client.force_login(person)
    bad = client.post(
        reverse("portal_account"), {"full_name": "Mark", "phone": "", "language": "en", "notify_by": "sms"}
    )
    assert bad.status_code == 200 and "Add your mobile phone" in bad.content.decode()
    person.refresh_from_db()
    assert person.notify_by == "email"
    saved = client.post(
        reverse("portal_account"), {"full_name": "Mark", "phone": "55 1234 5678", "language": "en", "notify_by": "sms"}
    )
    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.notify_by, person.phone) == ("sms", "+525512345678")
    opened = open_one(org_a, record, person)
    with deliver():
        request_reply(client_request=opened, actor=staff(org_a), body="Done.", from_client=False)
    assert url("portal_request_detail", org_a, opened.pk) in fake_twilio.last_body("+525512345678")


def test_another_client_or_organization_sees_nothing(client, org_a, org_b):
    record, person = accepted(org_a)
    opened = open_one(org_a, record, person, files=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = Attachment.objects.get()
    _, neighbour = accepted(org_a, name="Nina Neighbour", email="nina@example.test")
    client.force_login(neighbour)
    assert client.get(url("portal_request_detail", org_a, opened.pk)).status_code == 404
    assert client.post(url("portal_request_detail", org_a, opened.pk), {"body": "hi"}).status_code == 404
    assert client.get(url("portal_request_attachment", org_a, opened.pk, attachment.pk)).status_code == 404
    assert "Help with my papers" not in client.get(url("portal_request_list", org_a)).content.decode()
    # Nina cannot file a request about Mark's record either.
    form = client.post(
        url("portal_request_new", org_a),
        {"record": record.pk, "kind": RequestKind.objects.first().pk, "subject": "x", "body": "y"},
    )
    assert form.status_code == 200 and ClientRequest.objects.count() == 1

    # The same person, served by another organization, sees nothing of org_a there.
    accepted(org_b, email="mark@example.test", user=person)
    client.force_login(person)
    assert client.get(reverse("portal_request_detail", args=["beta", opened.pk])).status_code == 404
    assert client.get(reverse("portal_request_attachment", args=["beta", opened.pk, attachment.pk])).status_code == 404
    assert client.get(url("portal_request_detail", org_a, opened.pk)).status_code == 200
    # Staff of org_a are not clients: no portal account, no portal page.
    client.force_login(org_a.admin)
    assert client.get(url("portal_request_detail", org_a, opened.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("x.png", b"<html><script>alert(1)</script></html>", "Attach a PDF or a picture"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES, "larger than 10 MB"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_created(client, org_a, name, content, error):
    record, person = accepted(org_a)
    client.force_login(person)
    kind = request_kinds(org=org_a.org, offered_only=True)[0]
    response = client.post(
        url("portal_request_new", org_a),
        {
            "record": record.pk,
            "kind": kind.pk,
            "subject": "Look",
            "body": "Here",
            "attachments": [SimpleUploadedFile(name, content)],
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ClientRequest.objects.exists() and not Attachment.objects.exists()

    opened = open_one(org_a, record, person)
    reply = client.post(
        url("portal_request_detail", org_a, opened.pk),
        {"body": "more", "attachments": [SimpleUploadedFile(name, content)]},
    )
    assert reply.status_code == 200 and error in reply.content.decode()
    assert RequestMessage.objects.filter(client_request=opened).count() == 1 and not Attachment.objects.exists()


def test_too_many_attachments(client, org_a):
    record, person = accepted(org_a)
    client.force_login(person)
    kind = request_kinds(org=org_a.org, offered_only=True)[0]
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(6)]
    response = client.post(
        url("portal_request_new", org_a),
        {"record": record.pk, "kind": kind.pk, "subject": "Many", "body": "files", "attachments": files},
    )
    assert response.status_code == 200 and "at most 5" in response.content.decode()
    assert not ClientRequest.objects.exists()


def test_several_records_choose_which(client, org_a):
    _, person = accepted(org_a)
    # A parent organizes their child's record too (a profile of their own, organized by them).
    child = client_make(org_a, "Kid Client", email="kid@example.test")
    Client.objects.filter(pk=child.pk).update(profile=Profile.objects.create(full_name="Kid Client", organizer=person))
    client.force_login(person)
    page = client.get(url("portal_request_new", org_a)).content.decode()
    assert "Kid Client" in page and "Mark Client" in page
    kind = RequestKind.objects.filter(org=org_a.org).first()
    response = client.post(
        url("portal_request_new", org_a), {"record": child.pk, "kind": kind.pk, "subject": "For my kid", "body": "x"}
    )
    assert response.status_code == 302
    assert ClientRequest.objects.get().client == child


def test_banned_account_cannot_open_the_pages(client, org_a):
    record, person = accepted(org_a)
    opened = open_one(org_a, record, person, files=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = Attachment.objects.get()
    account = PortalAccount.objects.get(org=org_a.org, user=person)
    portal_account_change_status(account=account, status=PortalAccountStatus.BANNED, actor=Actor.system())
    client.force_login(person)
    for page in (
        url("portal_request_list", org_a),
        url("portal_request_new", org_a),
        url("portal_request_detail", org_a, opened.pk),
        url("portal_request_attachment", org_a, opened.pk, attachment.pk),
    ):
        assert client.get(page).status_code == 404, page


def test_request_list_queries_do_not_grow(client, org_a, django_assert_num_queries):
    record, person = accepted(org_a)
    open_one(org_a, record, person)
    client.force_login(person)
    client.get(url("portal_request_list", org_a))  # warm up (session, caches)
    with CaptureQueriesContext(connection) as one:
        client.get(url("portal_request_list", org_a))
    assert len(one) <= 6
    for i in range(4):
        open_one(org_a, record, person, subject=f"More {i}")
    with django_assert_num_queries(len(one)):
        page = client.get(url("portal_request_list", org_a))
    assert page.content.decode().count("More ") == 4


def test_a_long_request_list_pages_on(client, org_a):
    record, person = accepted(org_a)
    for i in range(26):
        open_one(org_a, record, person, subject=f"Question {i:02d}")
    client.force_login(person)
    first = client.get(url("portal_request_list", org_a)).content.decode()
    assert "Question 25" in first and "Question 00" not in first  # newest first, one page
    more = re.search(r'href="(\?cursor=[^"]+)"', first).group(1)
    second = client.get(url("portal_request_list", org_a) + more).content.decode()
    assert "Question 00" in second and "Question 25" not in second
