import logging

from celery import shared_task

from . import delivery

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def deliver_message(message_id: int) -> str:
    """One message by id: tasks queued by earlier versions, which handed out one task per message."""
    return delivery.deliver(message_id)


@shared_task(acks_late=True)
def deliver_due_batch() -> str:
    """Send up to a batch of due messages; queues the next batch once it has work, so every
    free worker joins in. A worker killed mid-batch leaves at most one message in "sending"."""
    if deliver_due_batch.request.is_eager:
        # Run in this process (eager mode): no worker to share with, and a batch that ran the
        # next inside itself would nest one call per batch. Send every batch here, one after the other.
        summaries = []
        while (summary := delivery.deliver_due()) != "nothing due":
            summaries.append(summary)
        return "; ".join(summaries) or "nothing due"
    return delivery.deliver_due(more=_next_batch)


@shared_task
def deliver_due_messages() -> str:
    """The sweep: runs on the beat and after every commit that queued a message."""
    requeued = delivery.requeue_stuck()
    if not delivery.has_due():
        return f"nothing due ({requeued} re-queued)"
    deliver_due_batch.delay()
    return f"delivery started ({requeued} re-queued)"


def _next_batch() -> None:
    try:
        deliver_due_batch.delay()
    except Exception:  # the broker is down: this batch goes on, the beat's sweep starts the next
        logger.warning("Could not queue the next batch of messages", exc_info=True)


@shared_task
def plan_reminders() -> str:
    """The beat's planning run: writes every message that fell due since the last run."""
    from . import planning

    result = planning.plan()
    counts = ", ".join(f"{kind}: {count}" for kind, count in sorted(result.counts.items())) or "nothing due"
    return f"{result.written} new messages ({counts})"
