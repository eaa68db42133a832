"""Health probes and the metrics scrape: what they cost over a bare request (issue 11 §7).

Run: [DATABASE_URL=postgres://...] python -m tests.benchmarks probes
Data: one order with 20,000 outbox messages (2,000 pending), 20,000 reveals (half in the last
hour), 50,000 stored task results over 5 tasks × 4 states, a heartbeat. Each URL through the test
client (the whole middleware stack), 200 times after a warm-up; the baseline is `/healthz` in the
same run (the same stack, no database). Ratios: median and p95 over the baseline's.
"""

import datetime
import os
import statistics
import sys
import time

import django

RUNS = 200


def _populate():
    from django.utils import timezone
    from django_celery_results.models import TaskResult

    from campaigns.models import OrderOutboxMessage, OutboxState, PersonalDataReveal
    from config.floor.models import WorkerHeartbeat
    from tests.campaigns.factories import ConnectionOrderFactory

    now = timezone.now()
    order = ConnectionOrderFactory()
    OrderOutboxMessage.objects.bulk_create(
        OrderOutboxMessage(
            order=order,
            kind="create",
            idempotency_key=f"bench-{n}",
            state=OutboxState.PENDING if n % 10 == 0 else OutboxState.DELIVERED,
            next_attempt_at=now,
            created_at=now - datetime.timedelta(seconds=n),
        )
        for n in range(20_000)
    )
    PersonalDataReveal.objects.bulk_create(
        PersonalDataReveal(
            order=order,
            user=order.agent,
            fields=["contact_phone"],
            reason="bench",
            channel="api",
            revealed_at=now - datetime.timedelta(minutes=(n % 120)),
        )
        for n in range(20_000)
    )
    states = ["SUCCESS", "FAILURE", "RETRY", "PENDING"]
    TaskResult.objects.bulk_create(
        TaskResult(task_id=f"bench-{n}", task_name=f"bench.task{n % 5}", status=states[n % 4])
        for n in range(50_000)
    )
    WorkerHeartbeat.objects.create(name="worker", seen_at=now)


def _time(client, url) -> list[float]:
    assert client.get(url).status_code == 200, url
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def _p95(runs):
    return statistics.quantiles(runs, n=20)[-1]


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        _populate()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        client = Client()
        base = _time(client, "/healthz")
        results = {}
        for name, url in (("readyz", "/readyz"), ("metrics", "/metrics")):
            runs = _time(client, url)
            print(
                f"  {name}: median {statistics.median(runs):.2f} ms, p95 {_p95(runs):.2f} ms "
                f"(healthz {statistics.median(base):.2f} / {_p95(base):.2f} ms)"
            )
            results[f"{name} median / healthz"] = statistics.median(runs) / statistics.median(base)
            results[f"{name} p95 / healthz"] = _p95(runs) / _p95(base)
        print(f"  database: {connection.vendor}, load average {os.getloadavg()[0]:.1f}")
    finally:
        teardown_databases(old_config, verbosity=0)
    return results


if __name__ == "__main__":
    sys.exit(main())
