"""The pure arithmetic of A/B versions and propensities, against closed forms."""

import math
import random
from types import SimpleNamespace

import pytest

from campaigns.learning import stats

# The 0.1 % critical values of χ² by degrees of freedom: a fixed hash either passes or it does not.
CHI2_999 = {1: 10.83, 2: 13.82, 3: 16.27}


def _versions(*weights):
    return [SimpleNamespace(label=chr(65 + i), weight=w) for i, w in enumerate(weights)]


@pytest.mark.parametrize("weights", [(50, 50), (20, 80), (20, 30, 50), (10, 10, 10, 70)])
def test_assignment_follows_the_weights_on_10000_accounts(weights):
    versions = _versions(*weights)
    seen = {v.label: 0 for v in versions}
    n = 10_000
    for i in range(n):
        seen[stats.assign(versions, stats.bucket(17, f"{352000000000 + i:012d}")).label] += 1
    total = sum(weights)
    chi2 = sum(
        (seen[v.label] - n * v.weight / total) ** 2 / (n * v.weight / total) for v in versions
    )
    assert chi2 < CHI2_999[len(weights) - 1], seen


def test_assignment_is_stable_per_account_and_independent_between_campaigns():
    versions = _versions(50, 50)
    number = "352011070411"
    first = stats.assign(versions, stats.bucket(1, number))
    assert all(stats.assign(versions, stats.bucket(1, number)) is first for _ in range(5))
    same = sum(
        stats.assign(versions, stats.bucket(1, f"{352000000000 + i:012d}")).label
        == stats.assign(versions, stats.bucket(2, f"{352000000000 + i:012d}")).label
        for i in range(4000)
    )
    # Independent halves agree about half the time (not always, not never).
    assert 1800 < same < 2200


@pytest.mark.parametrize(
    ("weights", "u", "label"),
    [
        ((50, 50), 0.0, "A"),
        ((50, 50), 0.4999, "A"),
        ((50, 50), 0.5, "B"),
        ((50, 50), 0.9999999, "B"),
        ((0, 100), 0.0, "B"),
        ((100, 0), 0.9999999, "A"),
        ((1, 0, 1), 0.75, "C"),
    ],
)
def test_assignment_boundaries_and_zero_weights(weights, u, label):
    assert stats.assign(_versions(*weights), u).label == label


def test_no_version_or_no_weight_assigns_nothing():
    assert stats.assign([], 0.3) is None
    assert stats.assign(_versions(0, 0), 0.3) is None


@pytest.mark.parametrize(
    ("a", "b", "closed_form"),
    [
        (1, 1, lambda x: x),
        (2, 1, lambda x: x**2),
        (1, 3, lambda x: 1 - (1 - x) ** 3),
        (2, 2, lambda x: 3 * x**2 - 2 * x**3),
        (0.5, 0.5, lambda x: 2 / math.pi * math.asin(math.sqrt(x))),
    ],
)
def test_beta_cdf_matches_closed_forms(a, b, closed_form):
    for x in (0.01, 0.1, 0.33, 0.5, 0.77, 0.99):
        assert stats.beta_cdf(x, a, b) == pytest.approx(closed_form(x), abs=1e-9)


def test_beta_quantile_inverts_the_cdf_and_the_interval_holds_95_percent():
    post = stats.posterior(14, 100, prior=(2.5, 17.5))
    low, high = post.interval()
    assert stats.beta_cdf(low, post.alpha, post.beta) == pytest.approx(0.025, abs=1e-9)
    assert stats.beta_cdf(high, post.alpha, post.beta) == pytest.approx(0.975, abs=1e-9)
    assert low < post.mean < high
    assert post.alpha == 16.5 and post.beta == 103.5


def test_uniform_interval_is_its_quantiles():
    assert stats.posterior(0, 0).interval() == pytest.approx((0.025, 0.975), abs=1e-9)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [(0, 10, (0.0, 0.2775)), (5, 10, (0.2366, 0.7634)), (10, 10, (0.7225, 1.0))],
)
def test_wilson_interval_known_values(k, n, expected):
    assert stats.wilson(k, n) == pytest.approx(expected, abs=1e-4)


def test_wilson_without_offers_is_none():
    assert stats.wilson(0, 0) is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Equal arms: a coin toss.
        ((1, 1), (1, 1), 0.5),
        # X_b ~ Beta(2, 1) beats a uniform X_a with probability E[X_b] = 2/3.
        ((1, 1), (2, 1), 2 / 3),
        # Beta(1, 2) against Beta(1, 1): 1/3.
        ((1, 1), (1, 2), 1 / 3),
        # Beta(3, 1) against a uniform: P(U < X) = E[X] = 3/4.
        ((1, 1), (3, 1), 3 / 4),
    ],
)
def test_probability_b_beats_a_matches_closed_forms(a, b, expected):
    assert stats.prob_b_beats_a(stats.Posterior(*a), stats.Posterior(*b)) == pytest.approx(
        expected, abs=1e-12
    )


def test_exact_two_arm_probability_agrees_with_simulation():
    a, b = stats.posterior(30, 200), stats.posterior(45, 210)
    exact = stats.prob_best([a, b])
    rng = random.Random(7)
    wins = sum(b.draw(rng) > a.draw(rng) for _ in range(40000)) / 40000
    assert exact[1] == pytest.approx(wins, abs=0.01)
    assert sum(exact) == pytest.approx(1.0)


def test_monte_carlo_is_seeded_and_fair_for_equal_arms():
    arms = [stats.posterior(10, 100)] * 3
    first = stats.prob_best(arms, seed=3)
    assert first == stats.prob_best(arms, seed=3)
    assert all(p == pytest.approx(1 / 3, abs=0.02) for p in first)
    assert sum(first) == pytest.approx(1.0)


def test_a_single_arm_is_surely_best():
    assert stats.prob_best([stats.posterior(1, 2)]) == [1.0]
    assert stats.prob_best([]) == []


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([(10, 100)], None),  # one arm: nothing to compare
        ([(10, 100), (0, 0)], None),  # the other never offered
        ([(10, 100), (10, 100)], None),  # equal rates: no amount settles it
        ([(100, 1000), (200, 1000)], 0),  # already settled
    ],
)
def test_results_needed_table(counts, expected):
    assert stats.results_needed(counts) == expected


def test_results_needed_shrinks_as_evidence_grows():
    early = stats.results_needed([(12, 100), (15, 100)])
    later = stats.results_needed([(60, 500), (75, 500)])
    assert early > later > 0
    # Once that many more arrive at today's rates, the one-sided z reaches 1.645.
    factor = (early + 200) / 200
    k1, k2, n = 12 * factor, 15 * factor, 100 * factor
    p1, p2 = k1 / n, k2 / n
    z = (p2 - p1) / math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
    assert z == pytest.approx(stats.Z95_ONE_SIDED, abs=0.01)
