"""What the invitations app tells the apps above it (they connect in their AppConfig.ready)."""

from django.dispatch import Signal

# Sent inside the transaction of ``invitation_send`` (kwargs: client, invitation, actor) and of
# ``invitation_accept`` (kwargs: client, invitation, user): the onboarding journey re-derives the
# client's progress. Bulk invitations send ``invitations_sent_bulk`` once per chunk
# (kwargs: org, client_ids, actor) so a receiver can work set-based.
invitation_sent = Signal()
invitation_accepted = Signal()
invitations_sent_bulk = Signal()

# Sent inside the transaction of ``invitation_revoke`` (kwargs: client, invitation, actor), so also
# once per invitation that ``invitations_revoke_open`` revokes: the journey goes back to "to invite
# again" and stops reminding of a dead link.
invitation_revoked = Signal()
