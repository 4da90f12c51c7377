from django_tasks import task

from portico.outbox import actions


@task(queue_name="outbox")
def deliver_outbox_message(message_id: int) -> str:
    return actions.outbox_deliver(message_id=message_id)
