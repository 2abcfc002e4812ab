from celery import shared_task

from . import delivery


@shared_task(acks_late=True)
def deliver_message(message_id: int) -> str:
    return delivery.deliver(message_id)


@shared_task
def deliver_due_messages() -> str:
    """The sweep: runs on the beat and after every commit that queued a message."""
    ids = delivery.due_message_ids()
    for message_id in ids:
        deliver_message.delay(message_id)
    return f"{len(ids)} messages handed to workers"
