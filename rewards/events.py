"""Keep the stored months in step with what happens: every order, result and team event refreshes
the months of the agent it touches, once its transaction has committed (issue 10, §5).

Rewards sit above campaigns, so campaigns cannot call them: the rewards listen to the saves of
the rows they are computed from (Django's model signals) and do nothing there but note which
(agent, month) pairs changed; the first callback after the commit hands the pairs to a Celery task
(`rewards.tasks.refresh_agent_months`), which recomputes them with the job's own code. A catalogue
or target change touches every agent: it queues the whole month's run. Writes that bypass the
models (bulk updates, raw SQL) are caught by the nightly run, the reconciliation.

Saved results come many to a call, so their refreshes are coalesced: an agent's month is sent at
most once per `REWARDS_RESULT_REFRESH_SECONDS` (the first result's commit claims the window with
an atomic cache add that expires with it, and sends the refresh with that countdown); a result
that finds the window claimed sends nothing, because the refresh already queued starts after the
window ends, so after this result committed, and counts it. A month's figures thus lag a result
by at most the window (plus the queue). Tasks that run inside the request (eager, tests) cannot
wait, so there every result sends its own refresh as before.
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from campaigns.models import (
    AgentProfile,
    ConnectionOrder,
    ContactHistoryEntry,
    TeamMembership,
)
from rewards import calendar, tasks
from rewards.models import DisputeStatus, MonthlyTarget, RewardBand, RewardRule, StatementDispute

PENDING = "rewards_refresh_pending"
RESULT_PAIRS = "rewards_refresh_results"
WINDOW_KEY = "rewards:result-refresh:{}:{}"

logger = logging.getLogger(__name__)


def _month(moment) -> datetime.date | None:
    return None if moment is None else timezone.localdate(moment).replace(day=1)


def _flush():
    pending = getattr(connection, PENDING, set())
    setattr(connection, PENDING, set())
    results = getattr(connection, RESULT_PAIRS, set())
    setattr(connection, RESULT_PAIRS, set())
    pairs = sorted(p for p in pending if p[0] != "month")
    _flush_results(results - set(pairs))
    months = sorted(p[1] for p in pending if p[0] == "month")
    this_month = calendar.month_key(timezone.localdate())
    for month in months:
        if month <= this_month:
            tasks.compute_conversions.delay(month)
    if pairs:
        tasks.refresh_agent_months.delay([[agent, month] for agent, month in pairs])


def _flush_results(pairs) -> None:
    """Send the refreshes of results' (agent, month) pairs whose window nobody has claimed yet,
    each to start once its window has ended (see the module's docstring)."""
    if not pairs:
        return
    window = settings.REWARDS_RESULT_REFRESH_SECONDS
    if window <= 0 or tasks.refresh_agent_months.app.conf.task_always_eager:
        tasks.refresh_agent_months.delay([[agent, month] for agent, month in sorted(pairs)])
        return
    claimed = []
    for agent, month in sorted(pairs):
        try:
            if not cache.add(WINDOW_KEY.format(agent, month), 1, timeout=window):
                continue
        except Exception:  # the cache unreachable: no window, each result queues its own refresh
            logger.exception("no refresh window for agent %s, %s", agent, month)
        claimed.append([agent, month])
    if claimed:
        try:
            tasks.refresh_agent_months.apply_async((claimed,), countdown=window)
        except Exception:
            # Not queued: free the windows so that the next result tries again.
            cache.delete_many([WINDOW_KEY.format(agent, month) for agent, month in claimed])
            raise


def _pending(name) -> set:
    pending = getattr(connection, name, None)
    if pending is None or not connection.run_on_commit:
        # Nothing queued in this transaction: pairs left over belong to one rolled back.
        pending = set()
        setattr(connection, name, pending)
    return pending


def _note(*pairs, results: bool = False) -> None:
    """Remember (agent id, "YYYY-MM") pairs (or ("month", "YYYY-MM") for everyone) to send once
    the current transaction has committed; `results`: pairs only saved results touched (their
    refreshes are coalesced)."""
    if results:
        # Both sets are checked together: a transaction's first note may be a result's.
        _pending(PENDING)
        _pending(RESULT_PAIRS).update(pairs)
    else:
        _pending(RESULT_PAIRS)
        _pending(PENDING).update(pairs)
    # Every event queues a callback (a rollback drops its own); the first to run after the commit
    # sends all the pairs noted so far, the others find nothing left to send. Robust: with the
    # broker down the write has committed all the same and must be answered as such (the error
    # is logged; the nightly run recomputes the months).
    transaction.on_commit(_flush, robust=True)


def _agent_months(agent_id, *moments) -> list[tuple]:
    months = {_month(moment) for moment in moments} - {None}
    return [(agent_id, calendar.month_key(month)) for month in months]


def order_saved(sender, instance: ConnectionOrder, **kwargs):
    _note(
        *_agent_months(
            instance.agent_id, instance.created_at, instance.connected_at, instance.cancelled_at
        )
    )


def extras_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    orders = [instance] if not reverse else ConnectionOrder.objects.filter(pk__in=pk_set or [])
    for order in orders:
        order_saved(ConnectionOrder, order)


def result_saved(sender, instance: ContactHistoryEntry, **kwargs):
    if instance.agent_id:
        _note(*_agent_months(instance.agent_id, instance.created_at), results=True)


def _months_since(day: datetime.date) -> list[str]:
    month, last, months = day.replace(day=1), timezone.localdate().replace(day=1), []
    while month <= last:
        months.append(calendar.month_key(month))
        month = calendar.next_month(month)
    return months


def membership_changed(sender, instance: TeamMembership, **kwargs):
    # Moves are dated within the running month, so no month before the previous one changes
    # (the period in the old team written at a first move only restates the past).
    earliest = calendar.previous_month(timezone.localdate())
    since = max(instance.valid_from, earliest)
    _note(*[(instance.agent_id, month) for month in _months_since(since)])


def profile_saved(sender, instance: AgentProfile, **kwargs):
    _note((instance.user_id, calendar.month_key(timezone.localdate())))


def catalogue_changed(sender, instance, **kwargs):
    _note(("month", calendar.month_key(timezone.localdate())))


def target_saved(sender, instance: MonthlyTarget, **kwargs):
    _note(("month", calendar.month_key(instance.month)))


def dispute_saved(sender, instance: StatementDispute, **kwargs):
    """An accepted dispute's adjustment changes the agent's month it is booked in."""
    if instance.status == DisputeStatus.ACCEPTED and instance.adjustment_month:
        _note((instance.agent_id, calendar.month_key(instance.adjustment_month)))


def connect() -> None:
    post_save.connect(order_saved, sender=ConnectionOrder, dispatch_uid="rewards.order")
    m2m_changed.connect(
        extras_changed, sender=ConnectionOrder.extras.through, dispatch_uid="rewards.extras"
    )
    post_save.connect(result_saved, sender=ContactHistoryEntry, dispatch_uid="rewards.result")
    for signal in (post_save, post_delete):
        signal.connect(
            membership_changed, sender=TeamMembership, dispatch_uid=f"rewards.team.{signal}"
        )
        for model in (RewardRule, RewardBand):
            signal.connect(
                catalogue_changed, sender=model, dispatch_uid=f"rewards.{model.__name__}.{signal}"
            )
    post_save.connect(profile_saved, sender=AgentProfile, dispatch_uid="rewards.profile")
    post_save.connect(target_saved, sender=MonthlyTarget, dispatch_uid="rewards.target")
    post_save.connect(dispute_saved, sender=StatementDispute, dispatch_uid="rewards.dispute")
