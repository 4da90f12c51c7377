"""The organization's records for its administrators: the audit log and the sent messages (with
their delivery and retries). The audit and outbox apps below own the data; every organization
page is built on orgs.context, so their pages live here."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portico.audit.selectors import audit_log_page
from portico.orgs.context import org_actor, org_view
from portico.orgs.forms import AuditFilterForm
from portico.orgs.permissions import Permission
from portico.outbox.actions import outbox_retry
from portico.outbox.models import OutboxState
from portico.outbox.selectors import dev_mailbox_copy, outbox_get, outbox_page


@org_view(Permission.AUDIT_VIEW)
def audit_log_view(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET or None, org=org)
    page = audit_log_page(org=org, cursor=request.GET.get("cursor", ""), **form.filters())
    # htmx filter changes swap only the results (template partial); a full load renders the page.
    template = "orgs/audit_log.html#results" if request.htmx else "orgs/audit_log.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "events": page.rows, "next_cursor": page.next_cursor})


@org_view(Permission.MESSAGES_VIEW)
def message_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in OutboxState.values else ""
    page = outbox_page(org=request.org, state=state, cursor=request.GET.get("cursor", ""))  # type: ignore[attr-defined]
    return render(
        request,
        "orgs/message_list.html",
        {"rows": page.rows, "state": state, "states": OutboxState.choices, "next_cursor": page.next_cursor},
    )


@org_view(Permission.MESSAGES_VIEW)
def message_detail(request: HttpRequest, message_id: int) -> HttpResponse:
    message = outbox_get(org=request.org, message_id=message_id)  # type: ignore[attr-defined]
    return render(
        request, "orgs/message_detail.html", {"message": message, "delivered": dev_mailbox_copy(message=message)}
    )


@require_POST
@org_view(Permission.MESSAGES_VIEW)
def message_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    message = outbox_get(org=request.org, message_id=message_id)  # type: ignore[attr-defined]
    outbox_retry(message=message, actor=org_actor(request))
    messages.success(request, _("The message will be sent again shortly."))
    return redirect("message_detail", org_slug=request.org.slug, message_id=message.pk)  # type: ignore[attr-defined]
