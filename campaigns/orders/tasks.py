"""Celery tasks of connection orders: each takes ids, calls a service, nothing else.

The names stay those the tasks had before orders were a sub-package (`campaigns.tasks.…`): queued
messages and the beat schedule stored in the database name them.
"""

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings
from django.utils import timezone

from campaigns.orders.services import delivery, privacy, slots


@shared_task(name="campaigns.tasks.deliver_order_message", bind=True, acks_late=True, max_retries=6)
def deliver_order_message(self, message_id: int) -> str:
    """Deliver one outbox message; retry with backoff (the periodic resend is the safety net)."""
    result = delivery.outbox_deliver(message_id=message_id)
    if result.outcome == delivery.Outcome.RETRY and not self.request.is_eager:
        try:
            raise self.retry(countdown=result.retry_in)
        except MaxRetriesExceededError:
            pass
    return result.outcome


@shared_task(name="campaigns.tasks.resend_pending_orders", acks_late=True)
def resend_pending_orders() -> dict:
    return delivery.outbox_resend_due()


@shared_task(name="campaigns.tasks.erase_expired_passports", acks_late=True)
def erase_expired_passports() -> int:
    return privacy.orders_erase_expired_passports()


@shared_task(name="campaigns.tasks.open_installer_slots", acks_late=True)
def open_installer_slots() -> int:
    return slots.installer_slots_open(
        start_day=timezone.localdate(), days=settings.INSTALLER_SLOT_DAYS_AHEAD
    )
