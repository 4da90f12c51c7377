"""django-allauth, customised only through its adapter (docs/decisions.md). It lives in the top
layer because who may sign in depends on several apps: staff memberships and invitations (orgs),
portal accounts (portal) and client invitations (invitations)."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portico.accounts.actions import user_security_event
from portico.audit.models import AuditAction
from portico.core.actors import Actor
from portico.orgs.selectors import has_active_membership
from portico.outbox.actions import outbox_enqueue
from portico.outbox.models import Channel
from portico.web.selectors import sign_in_allowed


class PorticoAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff join through an invitation from their organization; nobody signs up alone.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Password resets, login codes and the like go through the outbox too."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        msg = self.render_mail(template_prefix, email, ctx)
        html = next(
            (str(content) for content, mimetype in getattr(msg, "alternatives", []) if mimetype == "text/html"), ""
        )
        with transaction.atomic():  # the outbox writes inside a transaction; allauth calls this outside one
            outbox_enqueue(
                org=None,
                channel=Channel.EMAIL,
                to=email,
                idempotency_key=f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4()}",
                subject=msg.subject,
                body_text=str(msg.body),
                body_html=html,
            )

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        if not user.is_operator and not sign_in_allowed(user=user):
            messages.error(request, _("Your access has been deactivated. Ask the organization."))
            return redirect("account_login")
        return None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Clients (no staff membership) land on their portal; staff on their organization.
        user = request.user
        if not user.is_operator and not has_active_membership(user=user):  # type: ignore[union-attr,arg-type]
            return reverse("portal_home")
        return super().get_login_redirect_url(request)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        response = super().post_login(request, user, **kwargs)
        user_security_event(user=user, actor=Actor.from_request(request), action=AuditAction.USER_SIGNED_IN)
        return response
