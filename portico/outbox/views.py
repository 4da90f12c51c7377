from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.orgs.context import org_actor, org_view
from portico.orgs.permissions import Permission
from portico.outbox.actions import outbox_retry
from portico.outbox.models import OutboxState
from portico.outbox.selectors import PAGE_SIZE, dev_mailbox_copy, outbox_get, outbox_list


@org_view(Permission.MESSAGES_VIEW)
def message_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in OutboxState.values:
        state = ""
    try:
        before = int(request.GET.get("before", "")) or None
    except ValueError:
        before = None
    rows = outbox_list(org=request.org, state=state, before_id=before, limit=PAGE_SIZE + 1)  # type: ignore[attr-defined]
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render(
        request,
        "outbox/message_list.html",
        {
            "rows": rows,
            "state": state,
            "states": OutboxState.choices,
            "next_before": rows[-1].pk if has_more else None,
        },
    )


@org_view(Permission.MESSAGES_VIEW)
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = outbox_get(org=request.org, message_id=message_id)  # type: ignore[attr-defined]
    return render(
        request, "outbox/message_detail.html", {"message": message, "delivered": dev_mailbox_copy(message=message)}
    )


@require_POST
@org_view(Permission.MESSAGES_VIEW)
def message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    message = outbox_get(org=request.org, message_id=message_id)  # type: ignore[attr-defined]
    outbox_retry(message=message, actor=org_actor(request))
    messages.success(request, _("The message will be sent again shortly."))
    return redirect("message_detail", org_slug=request.org.slug, message_id=message.pk)  # type: ignore[attr-defined]
