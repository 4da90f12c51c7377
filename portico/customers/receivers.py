"""The customers catalog's part in events of the apps below it: a new SAT 69-B list re-screens
every customer."""

from __future__ import annotations

from typing import Any

from portico.core.actors import Actor
from portico.customers.screening_actions import customers_rescreen
from portico.sat69b.models import Sat69bImport
from portico.sat69b.signals import sat69b_imported


def on_sat69b_imported(sender: Any, sat69b_import: Sat69bImport, actor: Actor, **kwargs: Any) -> int:
    return customers_rescreen(sat69b_import=sat69b_import, actor=actor)


def connect() -> None:
    sat69b_imported.connect(on_sat69b_imported, dispatch_uid="customers.rescreen")
