"""What the payments app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent inside the transaction of every payment method state change (kwargs: payment_method,
# actor): the onboarding journey re-derives the client's progress (an active method may complete it).
payment_method_changed = Signal()
