from django_tasks import task

from portico.outbox import actions


@task(queue_name="outbox")
def deliver_outbox_message(message_id: int) -> str:
    return actions.outbox_deliver(message_id=message_id)


@task(queue_name="outbox")
def deliver_outbox_batch(message_ids: list[int]) -> dict[str, int]:
    return actions.outbox_deliver_batch(message_ids=message_ids)
