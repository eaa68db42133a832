"""Celery tasks of campaigns: each takes ids, calls a service, nothing else."""

from celery import shared_task

from campaigns import services
from campaigns.learning import services as learning_services

# Celery's autodiscovery imports `<app>.tasks` only: this import registers the order tasks.
from campaigns.orders import tasks as order_tasks  # noqa: F401


@shared_task(acks_late=True)
def archive_expired_campaigns() -> int:
    """Campaigns follow their dates: scheduled ones start, ended ones are archived."""
    return services.campaigns_follow_schedule()


@shared_task(acks_late=True)
def refresh_propensities() -> int:
    """The propensity table from every recorded result (nightly, and on demand from the admin)."""
    return learning_services.propensities_refresh()
