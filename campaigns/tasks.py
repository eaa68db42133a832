from celery import shared_task
from celery.exceptions import MaxRetriesExceededError
from django.conf import settings
from django.utils import timezone

from campaigns import services
from campaigns.services import outbox


@shared_task(acks_late=True)
def archive_expired_campaigns() -> int:
    return services.campaigns_archive_expired()


@shared_task(bind=True, acks_late=True, max_retries=6)
def deliver_order_message(self, message_id: int) -> str:
    """Deliver one outbox message; retry with backoff (the periodic resend is the safety net)."""
    delivery = outbox.outbox_deliver(message_id=message_id)
    if delivery.outcome == outbox.Outcome.RETRY and not self.request.is_eager:
        try:
            raise self.retry(countdown=delivery.retry_in)
        except MaxRetriesExceededError:
            pass
    return delivery.outcome


@shared_task(acks_late=True)
def resend_pending_orders() -> dict:
    return outbox.outbox_resend_due()


@shared_task(acks_late=True)
def erase_expired_passports() -> int:
    return services.orders_erase_expired_passports()


@shared_task(acks_late=True)
def open_installer_slots() -> int:
    return services.installer_slots_open(
        start_day=timezone.localdate(), days=settings.INSTALLER_SLOT_DAYS_AHEAD
    )
