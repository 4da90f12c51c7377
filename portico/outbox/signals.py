"""What the outbox tells the rest of Portico about a message after it left the building.

``message_delivery`` is sent (inside the transaction that records it) with ``message``,
``kind`` ("sent", "delivered", "bounced", "failed") ``at`` and ``detail``: when the worker has
handed the message to the provider, when it gave up, and for each verified provider webhook
event (applied once per event). Capabilities that care about a message's fate (invitations)
connect a receiver; the outbox knows nothing about them.
"""

from django.dispatch import Signal

message_delivery = Signal()
