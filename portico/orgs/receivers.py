"""Signals from the apps below orgs, connected in OrgsConfig.ready."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from portico.accounts.signals import user_name_changed
from portico.orgs.models import Membership, Organization


def on_user_name_changed(sender: Any, user: Any, actor: Any, **kwargs: Any) -> None:
    """Staff names appear in each organization's cached reference lists (navigators)."""
    orgs = Membership.objects.filter(user=user).values("org")
    Organization.objects.filter(pk__in=orgs).update(reference_version=F("reference_version") + 1)


def connect() -> None:
    user_name_changed.connect(on_user_name_changed, dispatch_uid="orgs_user_name_changed")
