"""The learning's month simulator (issue 13): static priorities, adaptive expected value and the
oracle on the same generated world, priorities misaligned with the truth.

Run: python -m tests.benchmarks learning   (SQLite in memory, or DATABASE_URL=postgres://...)
Sizes: LEARNING_BENCH_ACCOUNTS (100,000), LEARNING_BENCH_CALLS (200,000), LEARNING_BENCH_SEED (1).
Goals: adaptive conversions >= 0.9 x the oracle's and >= 1.2 x static priority's. Prints each
run's offers, conversions, revenue, regret and seconds.
"""

import os
import time

import django

ACCOUNTS = int(os.environ.get("LEARNING_BENCH_ACCOUNTS", 100_000))
CALLS = int(os.environ.get("LEARNING_BENCH_CALLS", 200_000))
SEED = int(os.environ.get("LEARNING_BENCH_SEED", 1))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.test.utils import setup_databases, teardown_databases

    from campaigns.learning import simulation

    state = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    try:
        started = time.perf_counter()
        world = simulation.build_world(accounts=ACCOUNTS, seed=SEED)
        print(f"world: {ACCOUNTS:,} accounts in {time.perf_counter() - started:.0f} s", flush=True)
        results = {}
        for ranking in ("static", "adaptive", "oracle"):
            result = simulation.run_month(world, ranking=ranking, calls=CALLS, seed=SEED)
            results[ranking] = result
            print(
                f"{ranking:>8}: {result.offers:,} offers, {result.conversions:,} agreed "
                f"({result.conversion_rate:.1%}), revenue {result.revenue:,.0f} ₽, regret "
                f"{result.regret:,.0f}, {result.seconds:.0f} s",
                flush=True,
            )
    finally:
        teardown_databases(state, verbosity=0)
    adaptive = results["adaptive"].conversions
    return {
        "adaptive / oracle conversions (goal >= 0.9)": adaptive / results["oracle"].conversions,
        "adaptive / static conversions (goal >= 1.2)": adaptive / results["static"].conversions,
    }
