"""Two conversions runs at once on PostgreSQL: the month's lock row makes them take turns."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections

from offers.models import OfferKind
from rewards import month_writes, services
from rewards.models import AgentMonth, ConversionRun
from tests.conftest import requires_postgres
from tests.rewards.support import OCT, agent, fixed_rule, offer, order

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_at_once_take_turns_and_count_each_order_once(monkeypatch):
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    users = [agent(username=f"c{i}") for i in range(4)]
    for user in users:
        for day in (3, 4):
            order(
                user,
                vip,
                created=datetime.date(2025, 10, day),
                connected=datetime.date(2025, 10, 9),
            )
    # With tasks run in-process (no broker), the rule's save has already run the month once.
    runs_before = (
        ConversionRun.objects.filter(month=OCT).values_list("runs", flat=True).first() or 0
    )
    spans, real = [], month_writes.month_write

    def slow_write(*args, **kwargs):
        started = time.monotonic()
        done = real(*args, **kwargs)
        time.sleep(0.5)  # hold the month long enough for the other run to try
        spans.append((started, time.monotonic()))
        return done

    monkeypatch.setattr(month_writes, "month_write", slow_write)
    errors, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            services.conversions_compute(month=OCT)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    first, second = sorted(spans)
    assert second[0] >= first[1], "the second run aggregated while the first held the month"
    assert ConversionRun.objects.get(month=OCT).runs == runs_before + 2
    rows = AgentMonth.objects.filter(month=OCT)
    assert rows.count() == 4
    assert {(r.orders, r.connected, r.reward_total) for r in rows} == {(2, 2, Decimal("150.00"))}
