"""What the accounts app tells the apps above it (layers point down: it cannot call them)."""

from __future__ import annotations

from django.dispatch import Signal

# A person's name changed (``user``, ``actor``): lists that show staff names reload (orgs).
user_name_changed = Signal()
