"""Client-side reads for the portal: only what the signed-in person may see. A client sees the
requests of the records whose profile they organize, never internal notes nor their files."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from portico.accounts.models import User
from portico.clients.models import Client
from portico.orgs.models import Organization
from portico.requests.models import Attachment, Request, RequestMessage


def portal_records(*, org: Organization, user: User) -> QuerySet[Client]:
    """The client records of ``org`` whose profile ``user`` organizes (not deleted)."""
    return Client.objects.filter(org=org, profile__organizer=user, deleted_at=None)


def portal_requests(*, org: Organization, user: User) -> QuerySet[Request]:
    """The person's requests in ``org``, newest activity first (kind joined: one query)."""
    return (
        Request.objects.filter(org=org, client__in=portal_records(org=org, user=user))
        .select_related("kind")
        .order_by("-last_activity_at", "-id")
    )


def portal_request_get(*, org: Organization, user: User, request_id: int) -> Request:
    """One of the person's requests, with its visible messages (no internal notes) and their
    attachments prefetched; 404 for anyone else's request."""
    visible = (
        RequestMessage.objects.filter(internal=False)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    found = (
        portal_requests(org=org, user=user)
        .select_related("client", "org")
        .prefetch_related(Prefetch("messages", queryset=visible, to_attr="visible_messages"))
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def portal_attachment_get(*, org: Organization, user: User, request_id: int, attachment_id: int) -> Attachment:
    """An attachment of a message the client may see on one of their requests; 404 otherwise
    (internal notes' files included)."""
    found = (
        Attachment.objects.filter(
            pk=attachment_id,
            message__request_id=request_id,
            message__internal=False,
            message__request__in=portal_requests(org=org, user=user),
        )
        .select_related("message")
        .first()
    )
    if found is None:
        raise Http404
    return found
