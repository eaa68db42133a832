from celery import shared_task

from campaigns import services


@shared_task(acks_late=True)
def archive_expired_campaigns() -> int:
    return services.campaigns_archive_expired()
