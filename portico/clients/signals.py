"""What the clients app tells the apps above it. Each is sent inside the action's transaction,
so a receiver's writes (and its audit rows) commit or roll back with the change."""

from django.dispatch import Signal

# A record's email or mobile number changed (kwargs: client, actor, channels: ["email"] / ["sms"]).
# Invitations sent to the old address are revoked: it would become the username.
client_contact_changed = Signal()

# A record is about to change (kwargs: client, actor, changes: {field: {"from", "to"}}), nothing saved
# yet: a receiver may refuse the change by raising PorticoError (the customers catalog keeps a
# customer's tax id and kind, and an inactive customer's names, as they are).
client_changing = Signal()

# A record is about to be closed or deleted, still live (kwargs: client, actor, reason: "closed" or
# "deleted"). Its open invitations are revoked (an invite-sent client goes back to not invited).
client_leaving = Signal()

# A closed, archived or deleted record is live again: reopened or unarchived (``client_status_change``)
# or restored by support (``client_restore``) (kwargs: client, actor, reason: "reopened", "unarchived"
# or "restored"). Its onboarding journey goes back on the board.
client_returning = Signal()
