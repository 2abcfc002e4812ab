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


@shared_task
def plan_reminders() -> str:
    """The beat's planning run: writes every message that fell due since the last run."""
    from . import planning

    result = planning.plan()
    counts = ", ".join(f"{kind}: {count}" for kind, count in sorted(result.counts.items())) or "nothing due"
    return f"{result.written} new messages ({counts})"
