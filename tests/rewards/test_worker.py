"""A real worker killed in the middle of the conversions job: the retry leaves the right figures.

The worker runs the prefork pool with one child. The test holds a row lock on one agent's month,
so the job blocks half-way (aggregates read, rows being written); the child is then killed with
SIGKILL. With `acks_late` and `task_reject_on_worker_lost` the message goes back to the queue, a
new child takes it and, once the lock is released, writes the month whole.
"""

import datetime
import os
import signal
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django_celery_results.models import TaskResult

from offers.models import OfferKind
from rewards import services
from rewards.models import AgentMonth, ConversionRun
from rewards.tasks import compute_conversions
from tests.celery_support import wait_for, worker_process
from tests.conftest import requires_postgres, requires_redis
from tests.rewards.support import OCT, agent, fixed_rule, offer, order

pytestmark = [requires_postgres, requires_redis]


@pytest.fixture
def prefork_worker(tmp_path):
    log_path = tmp_path / "worker.log"
    with worker_process(log_path, pool="prefork", name="rewards") as process:
        yield process, log_path


def _wait_for(condition, process, log_path, what):
    return wait_for(condition, process, log_path, what=what)


def _children(pid) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _blocked_backend(watcher):
    """The PostgreSQL backend of the job, waiting on the row the test holds.

    The watcher is in autocommit: inside a transaction pg_stat_activity is one frozen snapshot.
    """
    row = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    ).fetchone()
    return row[0] if row else None


def test_killed_mid_run_the_job_is_retried_and_leaves_correct_figures(
    transactional_db, prefork_worker
):
    process, log_path = prefork_worker
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    users = [agent(username=f"w{i}") for i in range(3)]
    for user in users:
        order(user, vip, created=datetime.date(2025, 10, 3), connected=datetime.date(2025, 10, 6))
    services.conversions_compute(month=OCT)
    # New orders after the first run: the figures the retry must arrive at.
    for user in users:
        order(user, vip, created=datetime.date(2025, 10, 7), connected=datetime.date(2025, 10, 8))
    blocked_row = AgentMonth.objects.get(agent=users[1], month=OCT)

    dsn = connection.get_connection_params()
    params = {k: dsn.get(k) for k in ("dbname", "user", "host", "port")}
    holder = psycopg.connect(**params)
    watcher = psycopg.connect(**params, autocommit=True)
    try:
        holder.execute(
            "SELECT 1 FROM rewards_agentmonth WHERE id = %s FOR UPDATE", [blocked_row.pk]
        )
        result = compute_conversions.delay("2025-10")
        _wait_for(lambda: _blocked_backend(watcher), process, log_path, "job blocked mid-run")
        # The pool's child as it is now, running the job (an earlier one may have been replaced).
        child = _wait_for(lambda: _children(process.pid), process, log_path, "pool child")[0]
        os.kill(child, signal.SIGKILL)
        _wait_for(
            lambda: [c for c in _children(process.pid) if c != child],
            process,
            log_path,
            "new child",
        )
        # The retry arrives at the same row and waits for it too: the message was not lost.
        _wait_for(lambda: _blocked_backend(watcher), process, log_path, "the retry")
        holder.rollback()

        def succeeded():
            return TaskResult.objects.filter(task_id=result.id, status="SUCCESS").exists()

        _wait_for(succeeded, process, log_path, "successful retry")
    finally:
        holder.close()
        watcher.close()
    assert "WorkerLostError" in log_path.read_text() or "SIGKILL" in log_path.read_text()
    rows = AgentMonth.objects.filter(month=OCT)
    assert rows.count() == 3
    assert {(r.orders, r.connected, r.reward_total) for r in rows} == {(2, 2, Decimal("150.00"))}
    # The first run and the retry committed; the killed attempt rolled back.
    assert ConversionRun.objects.get(month=OCT).runs == 2
