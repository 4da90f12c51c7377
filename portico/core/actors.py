"""Who is acting: staff, client, support operator or the system itself.

Actions take an ``Actor`` so the audit row gets the user, IP and user agent without
thread-locals or middleware guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the type only: at run time core imports nothing above it (pyproject: exclude_type_checking_imports)
    from portico.accounts.models import User


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    CLIENT = "client", _("Client")
    SUPPORT = "support", _("Support")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    kind: str
    user: User | None = None
    ip: str | None = None
    user_agent: str = ""

    @property
    def label(self) -> str:
        if self.user is None:
            return str(ActorKind(self.kind).label)
        return self.user.display_name

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM)

    @classmethod
    def from_request(cls, request: HttpRequest, *, kind: str | None = None) -> Actor:
        user = request.user if request.user.is_authenticated else None
        if kind is None:
            is_operator = user is not None and user.is_operator  # type: ignore[union-attr]
            kind = ActorKind.SYSTEM if user is None else ActorKind.SUPPORT if is_operator else ActorKind.STAFF
        return cls(
            kind=kind,
            user=user,  # type: ignore[arg-type]
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy the trusted hop count decides (same setting allauth's rate limits use).
    from django.conf import settings

    hops = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None
