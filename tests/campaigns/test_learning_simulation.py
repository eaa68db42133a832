"""The month simulator: deterministic for a seed, the oracle beats the misaligned priorities."""

import json

import pytest
from django.core.management import CommandError, call_command

from campaigns.learning import simulation
from campaigns.models import (
    Campaign,
    CampaignTarget,
    ContactHistoryEntry,
    Propensity,
    SubscriberAccount,
)
from offers.models import Offer

pytestmark = pytest.mark.django_db

MONTH = {"calls": 1200, "days": 6, "seed": 3}


@pytest.fixture
def world():
    return simulation.build_world(accounts=300, seed=3)


def test_generated_priorities_are_misaligned_with_the_truth():
    truth = simulation.generate_truth(3)
    by_priority = sorted(truth, key=lambda r: -r["priority"])
    mean = [sum(p[0] for p in r["truth"].values()) / len(r["truth"]) for r in by_priority]
    # The highest priority sells worse than the lowest.
    assert mean[0] < mean[-1]
    assert simulation.generate_truth(3) == truth


def test_the_world_is_written_to_the_database(world):
    assert SubscriberAccount.objects.count() == 300
    assert CampaignTarget.objects.count() == sum(len(c.targets) for c in world.customers)
    assert Campaign.objects.filter(code__startswith="SIM_").count() == 8
    assert Offer.objects.filter(code__startswith="sim-").count() == 8


def test_the_same_seed_gives_the_same_month(world):
    first = simulation.run_month(world, ranking="adaptive", **MONTH)
    again = simulation.run_month(world, ranking="adaptive", **MONTH)
    assert (first.offers, first.conversions, first.revenue, first.daily) == (
        again.offers,
        again.conversions,
        again.revenue,
        again.daily,
    )
    assert first.regret == pytest.approx(again.regret)


def test_the_oracle_beats_static_priorities_and_has_no_regret(world):
    oracle = simulation.run_month(world, ranking="oracle", **MONTH)
    static = simulation.run_month(world, ranking="static", **MONTH)
    assert oracle.regret == pytest.approx(0.0, abs=1e-9)
    assert static.regret > 0
    assert oracle.conversions > static.conversions


def test_results_are_recorded_and_learned_every_night(world):
    days = []
    result = simulation.run_month(
        world, ranking="adaptive", progress=lambda d, r: days.append(d), **MONTH
    )
    assert days == list(range(1, MONTH["days"] + 1))
    assert ContactHistoryEntry.objects.count() == result.offers
    assert ContactHistoryEntry.objects.filter(result="agreed").count() == result.conversions
    assert ContactHistoryEntry.objects.filter(need_heard=True).exists()
    assert Propensity.objects.filter(level="segment").exists()


def test_a_truth_file_is_read(tmp_path):
    truth = [
        {
            "code": "A1",
            "kind": "option",
            "price": "100",
            "priority": 100,
            "truth": {"bb": [0.9, 0.9]},
        },
        {
            "code": "B1",
            "kind": "option",
            "price": "100",
            "priority": 90,
            "truth": {"bb": [0.0, 0.0]},
        },
    ]
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(truth))
    result = simulation.simulate(
        ranking="static", truth=simulation.load_truth(path), accounts=50, calls=100, days=2, seed=1
    )
    assert result.offers > 0
    assert result.regret == pytest.approx(0.0)  # the priority is right here


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--truth", "/nonexistent.json"], "cannot read the truth file"),
        (["--explore", "101"], "--explore must be between 0 and 100"),
    ],
)
def test_the_command_refuses_bad_input_before_touching_a_database(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("simulate_month", *args)


def test_the_command_refuses_a_truth_of_the_wrong_shape(tmp_path):
    path = tmp_path / "truth.json"
    path.write_text(json.dumps({"code": "x"}))
    with pytest.raises(CommandError, match="must be a JSON list"):
        call_command("simulate_month", "--truth", str(path))
