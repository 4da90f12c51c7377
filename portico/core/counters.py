"""Per-organization running numbers (estimate, agreement and job numbers). A counter is a row
``(org, last_number)`` taken FOR UPDATE inside the creating transaction: creators of one
organization take turns, and a rolled-back create gives its number back (no duplicates, no gaps)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

C = TypeVar("C", bound=models.Model)


def counter_lock(model: type[C], *, org_id: int) -> C:
    """The organization's counter row of ``model``, locked until the transaction ends; made on
    first use. Two first uses at once: both insert-or-ignore, the loser waits on the unique
    index until the winner commits, then both read the one row FOR UPDATE."""
    manager: Any = model._default_manager
    try:
        return manager.select_for_update().get(org_id=org_id)  # type: ignore[no-any-return]
    except model.DoesNotExist:  # type: ignore[attr-defined]
        manager.bulk_create([model(org_id=org_id)], ignore_conflicts=True)
        return manager.select_for_update().get(org_id=org_id)  # type: ignore[no-any-return]


def counter_advance(counter: Any) -> int:
    """The next number of a counter already locked (``counter_lock``)."""
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return int(counter.last_number)


def counter_next(model: type[models.Model], *, org_id: int) -> int:
    """The organization's next number of ``model`` (see ``counter_lock``)."""
    return counter_advance(counter_lock(model, org_id=org_id))
