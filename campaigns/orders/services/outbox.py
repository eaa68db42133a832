"""The transactional outbox of the hand-off to the fulfilment system: the writing side.

A message is written in the transaction that made the change it reports (registration,
cancellation) and handed to Celery once that transaction has committed; `delivery` sends it.
If the broker is down, the row stays pending and the periodic resend finds it.
"""

import logging

from django.db import transaction
from django.utils import timezone

from campaigns.orders import tasks
from campaigns.orders.models import OrderOutboxMessage, OutboxState

logger = logging.getLogger("campaigns.outbox")


def outbox_write(order, kind, now) -> OrderOutboxMessage:
    """Write the message in the current transaction; enqueue it once that has committed."""
    message = OrderOutboxMessage.objects.create(
        order=order,
        kind=kind,
        idempotency_key=f"order-{order.reference}-{kind}",
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: enqueue(message.pk))
    return message


def enqueue(message_id: int) -> None:
    """Hand the message to Celery; if the broker is down, the periodic resend will find it."""
    try:
        tasks.deliver_order_message.delay(message_id)
    except Exception as exc:  # any broker failure: the row stays pending
        logger.warning("outbox message %s not enqueued (%s): left for the resend", message_id, exc)


def outbox_retry_now(*, message_ids: list[int], now=None) -> int:
    """An operator's «send again now» from the admin: rejected or waiting messages become due."""
    now = now or timezone.now()
    return (
        OrderOutboxMessage.objects.filter(pk__in=message_ids)
        .exclude(state__in=[OutboxState.DELIVERED, OutboxState.WITHDRAWN])
        .update(state=OutboxState.PENDING, next_attempt_at=now, leased_until=None)
    )
