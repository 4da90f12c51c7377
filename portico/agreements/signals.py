"""What the agreements app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent inside the transaction of every agreement state change (kwargs: agreement, actor): the
# onboarding journey re-derives the client's progress (a signature may complete it).
agreement_changed = Signal()
