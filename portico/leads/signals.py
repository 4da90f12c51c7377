"""What the leads app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent by ``lead_convert`` / ``lead_attach`` inside their transaction, after the client record
# exists and before any invitation is sent (kwargs: lead, client, actor): estimates move the
# lead's estimates to the client, so the invitation includes the estimate step (seed 003).
lead_converted = Signal()
