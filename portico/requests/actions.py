"""Every change to client requests: open (client), reply (client or staff), internal note, mark
answered, close, reopen, take an unassigned one, and the organization's request kinds. Each is
an ``@action``: its audit row on the client's timeline, and whoever must hear about it is told.

A client request is called ``client_request`` here, never ``request`` (that is Django's)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.decorators import action
from portico.audit.models import AuditAction
from portico.clients.actions import client_assign_navigator
from portico.clients.models import Client, NavigatorAssignment
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications.actions import Event, notify_client_user, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.requests.models import REQUEST_MACHINE, Attachment, ClientRequest, RequestKind, RequestMessage
from portico.requests.uploads import MAX_ATTACHMENTS, upload_check

MAX_BODY = 5000
# Marked for extraction; made in the organization's language when it is created.
DEFAULT_KINDS = (gettext_noop("Information"), gettext_noop("Service"))


# --- request kinds ---


@action
def request_kind_create(
    *, org: Organization, actor: Actor, name: str, position: int | None = None, offered: bool = True
) -> RequestKind:
    """A new kind clients may choose, last in the list unless ``position`` says otherwise
    (``offered=False``: a kind only other apps open threads of, e.g. estimate questions)."""
    name = name.strip()
    if not name:
        raise PorticoError(_("A request kind needs a name."), code="empty")
    if position is None:
        position = RequestKind.objects.filter(org=org).count()
    if RequestKind.objects.filter(org=org, name__iexact=name).exists():
        raise PorticoError(_("A request kind named “%(name)s” already exists.") % {"name": name}, code="duplicate")
    kind = RequestKind.objects.create(org=org, name=name, position=position, active=offered)
    audit_record(org=org, actor=actor, action=AuditAction.REQUEST_KIND_CREATED, target=kind)
    return kind


@action
def request_kinds_create_defaults(*, org: Organization, actor: Actor) -> list[RequestKind]:
    """A new organization's kinds, "Information" and "Service" in its language (on
    ``organization_created``): made once, when the organization is, never by a page view."""
    with translation.override(org.language):
        return [
            request_kind_create(org=org, actor=actor, name=_(name), position=i) for i, name in enumerate(DEFAULT_KINDS)
        ]


# --- threads ---


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise PorticoError(_("Write a message."), code="empty")
    if len(body) > MAX_BODY:
        raise PorticoError(_("A message has at most %(n)s characters.") % {"n": MAX_BODY}, code="too_long")
    return body


def _attach(message: RequestMessage, files: list[UploadedFile]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise PorticoError(_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, code="too_many")
    checked_all = [upload_check(upload) for upload in files]  # all refused or none stored
    for checked in checked_all:
        attachment = Attachment(
            message=message, name=checked.name, content_type=checked.content_type, size=checked.size
        )
        attachment.file.save(checked.name, checked.content, save=False)
        attachment.save()


def _move(
    client_request: ClientRequest, action: str, actor: Actor, updates: dict[str, Any] | None = None
) -> ClientRequest:
    """A status move, on the client's timeline, with ``updates`` in the same UPDATE. A move to the
    same status is no move (the machine would audit it once it has updates): only ``updates`` are written."""
    if REQUEST_MACHINE.target(client_request.status, action) == client_request.status:
        if updates:
            ClientRequest.objects.filter(pk=client_request.pk).update(**updates)
        return client_request
    REQUEST_MACHINE.apply(
        client_request,
        action,
        actor=actor,
        updates=updates,
        audit_target=client_request.client,
        detail={"request": client_request.pk, "subject": client_request.subject},
    )
    return client_request


def _staff_url(client_request: ClientRequest) -> str:
    return reverse("request_detail", args=[client_request.org.slug, client_request.pk])


@action
def request_open(
    *,
    client: Client,
    actor: Actor,
    kind: RequestKind,
    subject: str,
    body: str,
    files: list[UploadedFile] | None = None,
    from_client: bool = True,
    offered_only: bool = True,
) -> ClientRequest:
    """The client's "Make a request" (or staff logging one for the client: ``from_client``
    False). Its navigators are notified; without one it waits in the Unassigned queue.
    ``offered_only=False``: another app's thread of a kind not offered to clients (estimate questions)."""
    if actor.user is None:
        raise PorticoError(_("Sign in first."), code="sign_in")
    if kind.org_id != client.org_id or (offered_only and not kind.active):
        raise PorticoError(_("Choose one of the kinds offered."), code="bad_kind")
    subject = subject.strip()
    if not subject:
        raise PorticoError(_("Give your request a subject."), code="empty")
    client_request = ClientRequest.objects.create(
        org=client.org, client=client, kind=kind, subject=subject[:200], opened_by=actor.user
    )
    message = RequestMessage.objects.create(
        client_request=client_request, author=actor.user, from_client=from_client, body=_body(body)
    )
    _attach(message, files or [])
    audit_record(
        org=client.org_id,
        actor=actor,
        action=AuditAction.REQUEST_OPENED,
        target=client,
        to_state=client_request.status,
        detail={"request": client_request.pk, "subject": client_request.subject, "kind": kind.name},
    )
    notify_navigators(
        client=client,
        exclude=actor.user,
        event=Event(
            kind=EventKind.REQUEST_OPENED,
            key=f"request-opened:{client_request.pk}",
            title=_("%(client)s made a request: %(subject)s")
            % {"client": client.name, "subject": client_request.subject},
            body=message.body[:300],
            url=_staff_url(client_request),
        ),
    )
    return client_request


@action
def request_reply(
    *,
    client_request: ClientRequest,
    actor: Actor,
    body: str,
    from_client: bool,
    internal: bool = False,
    files: list[UploadedFile] | None = None,
) -> RequestMessage:
    """A message on the thread. The client's reply notifies the navigators; a staff reply tells
    the client (email or SMS, their choice); an internal note tells nobody and moves nothing."""
    if actor.user is None:
        raise PorticoError(_("Sign in first."), code="sign_in")
    if internal and from_client:
        raise PorticoError(_("Clients cannot write internal notes."), code="not_allowed")
    now = timezone.now()
    activity = {"last_activity_at": now}
    if internal:  # moves no status
        ClientRequest.objects.filter(pk=client_request.pk).update(**activity)
    else:
        _move(client_request, "client_reply" if from_client else "staff_reply", actor, activity)
    message = RequestMessage.objects.create(
        client_request=client_request,
        author=actor.user,
        from_client=from_client,
        internal=internal,
        body=_body(body),
        created_at=now,
    )
    _attach(message, files or [])
    audit_record(
        org=client_request.org_id,
        actor=actor,
        action=AuditAction.REQUEST_NOTE_ADDED if internal else AuditAction.REQUEST_REPLIED,
        target=client_request.client,
        detail={"request": client_request.pk, "subject": client_request.subject, "message": message.pk},
    )
    if internal:
        return message
    if from_client:
        notify_navigators(
            client=client_request.client,
            event=Event(
                kind=EventKind.CLIENT_REPLIED,
                key=f"client-replied:{message.pk}",
                title=_("%(client)s replied: %(subject)s")
                % {"client": client_request.client.name, "subject": client_request.subject},
                body=message.body[:300],
                url=_staff_url(client_request),
            ),
        )
    else:
        _tell_client(client_request, message)
    return message


def _tell_client(client_request: ClientRequest, message: RequestMessage) -> None:
    """Staff answered: the person who opened the request hears by email or SMS, as they chose."""
    # The person the client record's profile belongs to (a request staff logged for a client
    # without portal access has nobody to tell).
    client = Client.objects.select_related("profile__organizer").get(pk=client_request.client_id)
    person = client.profile.organizer if client.profile is not None else None
    if person is None:
        return
    org = client_request.org
    link = settings.SITE_URL + reverse("portal_request_detail", args=[org.slug, client_request.pk])
    with translation.override(person.language or org.language):
        title = _("%(org)s answered your request: %(subject)s") % {"org": org.name, "subject": client_request.subject}
        notify_client_user(
            org=org,
            person=person,
            key=f"request-answered:{message.pk}",
            subject=title,
            text=f"{message.body}\n\n{_('Read and reply in your portal:')} {link}\n",
            sms=f"{title} {link}",
        )


@action
def request_mark_answered(*, client_request: ClientRequest, actor: Actor) -> ClientRequest:
    return _move(client_request, "mark_answered", actor)


@action
def request_close(*, client_request: ClientRequest, actor: Actor) -> ClientRequest:
    return _move(client_request, "close", actor)


@action
def request_reopen(*, client_request: ClientRequest, actor: Actor) -> ClientRequest:
    return _move(client_request, "reopen", actor)


@action
def request_take(*, client_request: ClientRequest, actor: Actor) -> ClientRequest:
    """A request of a client without navigators: the first staff member to take it becomes the
    client's navigator (and from then on hears about the client)."""
    user: User | None = actor.user
    if user is None:
        raise PorticoError(_("Sign in first."), code="sign_in")
    client = Client.objects.select_for_update(of=("self",)).get(pk=client_request.client_id)
    if NavigatorAssignment.objects.filter(client=client).exists():
        raise PorticoError(_("This client already has a navigator."), code="taken")
    client_assign_navigator(client=client, actor=actor, navigator=user)
    audit_record(
        org=client_request.org_id,
        actor=actor,
        action=AuditAction.REQUEST_TAKEN,
        target=client,
        detail={"request": client_request.pk, "subject": client_request.subject},
    )
    ClientRequest.objects.filter(pk=client_request.pk).update(last_activity_at=timezone.now())
    return client_request
