"""Every change to client requests: open (client), reply (client or staff), internal note, mark
answered, close, reopen, take an unassigned request. Each runs in one transaction, writes its
audit row on the client's timeline and notifies whoever must hear about it."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portico.accounts.models import User
from portico.audit.actions import audit_record
from portico.audit.models import AuditAction
from portico.clients.actions import client_assign_navigator
from portico.clients.models import Client, NavigatorAssignment
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.notifications.actions import Event, notify_navigators
from portico.notifications.models import EventKind
from portico.orgs.models import Organization
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import Channel
from portico.requests.models import REQUEST_MACHINE, Attachment, Request, RequestKind, RequestMessage

MAX_BODY = 5000
DEFAULT_KINDS = ("Information", "Service")


@transaction.atomic
def request_kind_create(*, org: Organization, actor: Actor, name: str, position: int = 0) -> RequestKind:
    name = name.strip()
    if not name:
        raise PorticoError(_("A request kind needs a name."), code="empty")
    if RequestKind.objects.filter(org=org, name__iexact=name).exists():
        raise PorticoError(_("A request kind named “%(name)s” already exists.") % {"name": name}, code="duplicate")
    kind = RequestKind.objects.create(org=org, name=name, position=position)
    audit_record(org=org, actor=actor, action=AuditAction.REQUEST_KIND_CREATED, target=kind)
    return kind


@transaction.atomic
def request_kinds_ensure(*, org: Organization, actor: Actor) -> list[RequestKind]:
    """The organization's kinds on offer; "Information" and "Service" (in its language) when it
    offers none: made, or offered again. Safe when two first visits arrive at once."""
    kinds = list(RequestKind.objects.filter(org=org, active=True))
    if kinds:
        return kinds
    Organization.objects.select_for_update().filter(pk=org.pk).first()  # one first visit makes them
    with translation.override(org.language):
        for i, name in enumerate(DEFAULT_KINDS):
            label = _(name)
            existing = RequestKind.objects.filter(org=org, name__iexact=label).first()
            if existing is None:
                request_kind_create(org=org, actor=actor, name=label, position=i)
            elif not existing.active:
                RequestKind.objects.filter(pk=existing.pk).update(active=True)
    return list(RequestKind.objects.filter(org=org, active=True))


def _body(body: str) -> str:
    body = body.strip()
    if not body:
        raise PorticoError(_("Write a message."), code="empty")
    if len(body) > MAX_BODY:
        raise PorticoError(_("A message has at most %(n)s characters.") % {"n": MAX_BODY}, code="too_long")
    return body


def _attach(message: RequestMessage, files: list[UploadedFile]) -> None:
    from portico.requests.uploads import MAX_ATTACHMENTS, upload_check

    if len(files) > MAX_ATTACHMENTS:
        raise PorticoError(_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}, code="too_many")
    checked_all = [upload_check(upload) for upload in files]  # all refused or none stored
    for checked in checked_all:
        attachment = Attachment(
            message=message, name=checked.name, content_type=checked.content_type, size=checked.size
        )
        attachment.file.save(checked.name, checked.content, save=False)
        attachment.save()


def _audit(request: Request, actor: Actor, action: str, **detail: object) -> None:
    from_state, to_state = detail.pop("from_state", ""), detail.pop("to_state", "")
    audit_record(
        org=request.org,
        actor=actor,
        action=action,
        target=request.client,
        detail={"request": request.pk, "subject": request.subject, **detail},
        from_state=str(from_state),
        to_state=str(to_state),
    )


def _move(request: Request, action: str, actor: Actor) -> Request:
    new_status = REQUEST_MACHINE.target(request.status, action)
    if new_status != request.status:
        changed = Request.objects.filter(pk=request.pk, status=request.status).update(status=new_status)
        if not changed:
            raise PorticoError(_("Someone else changed this request just now. Reload and try again."), code="stale")
        _audit(
            request,
            actor,
            AuditAction.REQUEST_STATUS_CHANGED,
            from_state=request.status,
            to_state=new_status,
            move=action,
        )
        request.status = new_status
    return request


def _staff_url(request: Request) -> str:
    return reverse("request_detail", args=[request.org.slug, request.pk])


@transaction.atomic
def request_open(
    *,
    client: Client,
    actor: Actor,
    kind: RequestKind,
    subject: str,
    body: str,
    files: list[UploadedFile] | None = None,
    from_client: bool = True,
) -> Request:
    """The client's "Make a request" (or staff logging one for the client: ``from_client``
    False). Its navigators are notified; without one it waits in the Unassigned queue."""
    if actor.user is None:
        raise PorticoError(_("Sign in first."), code="sign_in")
    if kind.org_id != client.org_id or not kind.active:
        raise PorticoError(_("Choose one of the kinds offered."), code="bad_kind")
    subject = subject.strip()
    if not subject:
        raise PorticoError(_("Give your request a subject."), code="empty")
    request = Request.objects.create(
        org=client.org, client=client, kind=kind, subject=subject[:200], opened_by=actor.user
    )
    message = RequestMessage.objects.create(
        request=request, author=actor.user, from_client=from_client, body=_body(body)
    )
    _attach(message, files or [])
    _audit(request, actor, AuditAction.REQUEST_OPENED, kind=kind.name, to_state=request.status)
    notify_navigators(
        client=client,
        exclude=actor.user,
        event=Event(
            kind=EventKind.REQUEST_OPENED,
            key=f"request-opened:{request.pk}",
            title=_("%(client)s made a request: %(subject)s") % {"client": client.name, "subject": request.subject},
            body=message.body[:300],
            url=_staff_url(request),
        ),
    )
    return request


@transaction.atomic
def request_reply(
    *,
    request: Request,
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
    if not internal:
        _move(request, "client_reply" if from_client else "staff_reply", actor)
    message = RequestMessage.objects.create(
        request=request, author=actor.user, from_client=from_client, internal=internal, body=_body(body)
    )
    _attach(message, files or [])
    Request.objects.filter(pk=request.pk).update(last_activity_at=message.created_at)
    _audit(
        request, actor, AuditAction.REQUEST_NOTE_ADDED if internal else AuditAction.REQUEST_REPLIED, message=message.pk
    )
    if internal:
        return message
    if from_client:
        notify_navigators(
            client=request.client,
            event=Event(
                kind=EventKind.CLIENT_REPLIED,
                key=f"client-replied:{message.pk}",
                title=_("%(client)s replied: %(subject)s")
                % {"client": request.client.name, "subject": request.subject},
                body=message.body[:300],
                url=_staff_url(request),
            ),
        )
    else:
        _tell_client(request, message)
    return message


def _tell_client(request: Request, message: RequestMessage) -> None:
    """Staff answered: the person who opened the request hears by email or SMS, as they chose."""
    from django.conf import settings

    # The person the client record's profile belongs to (a request staff logged for a client
    # without portal access has nobody to tell).
    client = Client.objects.select_related("profile__organizer").get(pk=request.client_id)
    person = client.profile.organizer if client.profile is not None else None
    if person is None:
        return
    link = settings.SITE_URL + reverse("portal_request_detail", args=[request.org.slug, request.pk])
    with translation.override(person.language or request.org.language):
        title = _("%(org)s answered your request: %(subject)s") % {"org": request.org.name, "subject": request.subject}
        if person.notify_by == "sms" and person.phone:
            outbox_enqueue(
                org=request.org,
                channel=Channel.SMS,
                to=person.phone,
                idempotency_key=f"request-answered:{message.pk}:sms",
                body_text=f"{title} {link}",
            )
        else:
            outbox_enqueue(
                org=request.org,
                channel=Channel.EMAIL,
                to=person.email,
                idempotency_key=f"request-answered:{message.pk}:email",
                subject=title,
                body_text=f"{message.body}\n\n{_('Read and reply in your portal:')} {link}\n",
            )


@transaction.atomic
def request_mark_answered(*, request: Request, actor: Actor) -> Request:
    return _move(request, "mark_answered", actor)


@transaction.atomic
def request_close(*, request: Request, actor: Actor) -> Request:
    return _move(request, "close", actor)


@transaction.atomic
def request_reopen(*, request: Request, actor: Actor) -> Request:
    return _move(request, "reopen", actor)


@transaction.atomic
def request_take(*, request: Request, actor: Actor) -> Request:
    """A request of a client without navigators: the first staff member to take it becomes the
    client's navigator (and from then on hears about the client)."""
    user: User | None = actor.user
    if user is None:
        raise PorticoError(_("Sign in first."), code="sign_in")
    client = Client.objects.select_for_update(of=("self",)).get(pk=request.client_id)
    if NavigatorAssignment.objects.filter(client=client).exists():
        raise PorticoError(_("This client already has a navigator."), code="taken")
    client_assign_navigator(client=client, actor=actor, navigator=user)
    _audit(request, actor, AuditAction.REQUEST_TAKEN)
    Request.objects.filter(pk=request.pk).update(last_activity_at=timezone.now())
    return request
