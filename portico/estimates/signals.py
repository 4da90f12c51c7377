"""What the estimates app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent inside the transaction of every estimate state change (kwargs: estimate, actor): the
# onboarding journey re-derives the client's progress.
estimate_changed = Signal()
