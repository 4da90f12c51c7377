"""The agreements app's part in events of the apps below it: an approved estimate gets its
agreement made and sent at once when the organization has a default template."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from portico.agreements.actions import agreement_auto_for_estimate
from portico.core.actors import Actor
from portico.core.errors import PorticoError
from portico.estimates.models import EstimateState
from portico.estimates.signals import estimate_changed

logger = logging.getLogger(__name__)


def agreement_on_approval(sender: Any, estimate: Any, actor: Any, **kwargs: Any) -> None:
    if estimate.state != EstimateState.APPROVED:
        return
    try:
        # A savepoint: a template the estimate cannot fill must not undo the client's approval.
        with transaction.atomic():
            agreement_auto_for_estimate(estimate=estimate, actor=Actor.system())
    except PorticoError as exc:
        logger.warning("no automatic agreement for estimate %s: %s", estimate.pk, exc.message)


def connect() -> None:
    estimate_changed.connect(agreement_on_approval, dispatch_uid="agreements_on_estimate_approval")
