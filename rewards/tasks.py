"""The monthly conversions job in Celery: nightly for the running month, once more after it closes.

The tasks take a month string and call the service; the service's single transaction and the
`acks_late` delivery make a worker killed mid-run harmless: the message goes back to the queue
and the retry computes the month again.
"""

from collections import defaultdict

from celery import shared_task
from django.utils import timezone

from rewards import calendar, services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_conversions(month: str) -> dict:
    """Compute one month, given as YYYY-MM."""
    run = services.conversions_compute(month=calendar.parse_month(month))
    return {"month": month, "agents": run.agents, "orders": run.orders, "runs": run.runs}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_running_month() -> dict:
    """The nightly run: the month in progress."""
    return compute_conversions(calendar.month_key(timezone.localdate()))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_closed_month() -> dict:
    """The final run after a month has closed (scheduled early on the 1st): the month before."""
    month = calendar.previous_month(timezone.localdate())
    return compute_conversions(calendar.month_key(month))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_agent_months(pairs: list) -> int:
    """Recompute the months of agents an event touched: [[agent id, "YYYY-MM"], ...]; a month
    that has not started yet (a rule revised from next month on) has nothing to recompute.

    One refresh per month for all its agents (the aggregates cost about the same for one agent
    as for thirty); returns how many (agent, month) pairs were recomputed."""
    by_month = defaultdict(set)
    for agent_id, month in pairs:
        try:
            by_month[calendar.parse_month(month)].add(int(agent_id))
        except (calendar.MonthError, TypeError, ValueError):
            continue
    for first_day, agent_ids in sorted(by_month.items()):
        services.agent_month_refresh(agent_ids=sorted(agent_ids), month=first_day)
    return sum(len(agent_ids) for agent_ids in by_month.values())
