"""The leaderboard for 5,000 agents on PostgreSQL (goal: the page under 300 ms).

Run: DATABASE_URL=postgres://... python -m tests.benchmarks leaderboard
Builds the data of `rewards_job` (5,000 agents in 250 teams, 100 of them moved, 1,000,000 orders
in October 2025), runs the monthly job once, then times (median of 5, after one warm-up) the
leaderboard page for all 5,000 agents (a manager, first page of 100 rows, with the totals and the
daily chart), for one team of 20, the leaderboard API (page of 100) and the xlsx export.
"""

import os
import statistics
import sys
import time

import django

MONTH_KEY = "2025-10"
GOAL_MS = 300


def _measure_pages():
    from django.test import Client

    from campaigns.models import Team
    from tests.config.factories import ManagerFactory

    client = Client()
    client.force_login(ManagerFactory(username="bench-manager"))
    team = Team.objects.order_by("pk").first()
    pages = {
        "leaderboard page, 5,000 agents (first 100 rows)": ("/leaderboard/", {}),
        "leaderboard page, one team of 20": ("/leaderboard/", {"team": team.pk}),
        "leaderboard API, 5,000 agents (page of 100)": ("/api/v1/leaderboard/", {"page_size": 100}),
        "leaderboard xlsx export, 5,000 agents": ("/leaderboard/export.xlsx", {}),
    }
    timings = {}
    for name, (url, params) in pages.items():
        params = {"month": MONTH_KEY, **params}
        assert client.get(url, params).status_code == 200, url
        runs = []
        for _i in range(5):
            started = time.perf_counter()
            client.get(url, params)
            runs.append((time.perf_counter() - started) * 1000)
        timings[name] = statistics.median(runs)
        print(f"  {name}: median {timings[name]:.0f} ms")
    return timings


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from rewards import services
    from tests.benchmarks import rewards_job

    if not settings.IS_POSTGRES:
        print("needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        rewards_job.populate()
        services.conversions_compute(month=rewards_job.MONTH)
        pages = _measure_pages()
    finally:
        teardown_databases(old_config, verbosity=0)
    first = pages["leaderboard page, 5,000 agents (first 100 rows)"]
    print(
        f"  goal: the 5,000-agent page under {GOAL_MS} ms: {'met' if first < GOAL_MS else 'NOT met'}"
    )
    return {name: f"{value:.0f} ms" for name, value in pages.items()}


if __name__ == "__main__":
    sys.exit(main())
