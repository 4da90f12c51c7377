"""What the organizations app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent by ``org_create`` inside its transaction (kwargs: org, actor): each app provisions its
# defaults for the new organization then (clients: client types; requests: request kinds).
organization_created = Signal()
