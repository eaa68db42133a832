"""Pure arithmetic of the experiments and the propensities: no database, no Django.

- `bucket` / `assign`: a stable share of accounts per script version (a hash of campaign and
  account, never random per request);
- Beta-Binomial: posterior, equal-tailed credible interval (the regularised incomplete beta by its
  continued fraction, inverted by bisection), Wilson's interval for an observed conversion;
- `prob_best`: the probability that each arm is the best, exact for two arms with whole alphas
  (Evan Miller's sum), otherwise a seeded Monte Carlo;
- `results_needed`: how many more offers would settle the leader at 95 %.
"""

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
Z95_ONE_SIDED = 1.6448536269514722
SETTLED = 0.95
MC_DRAWS = 20000


def bucket(campaign_id: int, account_number: str) -> float:
    """A number in [0, 1) fixed for an account in a campaign, uniform over accounts."""
    digest = hashlib.blake2b(f"{campaign_id}/{account_number}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def assign(versions: Sequence, u: float):
    """The version whose share of the weights holds `u`; versions in a fixed order (by label),
    those of weight 0 never chosen; None when there is none to choose."""
    total = sum(v.weight for v in versions)
    if total <= 0:
        return None
    point = u * total
    for version in versions:
        if point < version.weight:
            return version
        point -= version.weight
    return [v for v in versions if v.weight][-1]


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _beta_cf(x: float, a: float, b: float) -> float:
    """Continued fraction of the incomplete beta (modified Lentz)."""
    tiny, eps = 1e-300, 1e-14
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularised incomplete beta I_x(a, b): P(X <= x) for X ~ Beta(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(x, a, b) / a
    return 1.0 - front * _beta_cf(1.0 - x, b, a) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    low, high = 0.0, 1.0
    for _ in range(60):
        mid = (low + high) / 2
        if beta_cdf(mid, a, b) < q:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True)
class Posterior:
    """Beta(alpha, beta) after `agreed` of `offered` on a prior."""

    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        tail = (1 - level) / 2
        return beta_quantile(tail, self.alpha, self.beta), beta_quantile(
            1 - tail, self.alpha, self.beta
        )

    def draw(self, rng: random.Random) -> float:
        return rng.betavariate(self.alpha, self.beta)


def posterior(agreed: int, offered: int, prior: tuple[float, float] = (1.0, 1.0)) -> Posterior:
    return Posterior(prior[0] + agreed, prior[1] + offered - agreed)


def prior_with_strength(mean: float, strength: float) -> tuple[float, float]:
    return mean * strength, (1 - mean) * strength


def wilson(agreed: int, offered: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson's 95 % interval for agreed/offered; None with no offers."""
    if offered <= 0:
        return None
    p = agreed / offered
    denominator = 1 + z * z / offered
    centre = (p + z * z / (2 * offered)) / denominator
    half = z * math.sqrt(p * (1 - p) / offered + z * z / (4 * offered * offered)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def prob_b_beats_a(a: Posterior, b: Posterior) -> float:
    """P(X_b > X_a), exact for a whole b.alpha (Evan Miller's closed form)."""
    total = 0.0
    for i in range(int(b.alpha)):
        total += math.exp(
            _log_beta(a.alpha + i, a.beta + b.beta)
            - math.log(b.beta + i)
            - _log_beta(1 + i, b.beta)
            - _log_beta(a.alpha, a.beta)
        )
    return min(1.0, max(0.0, total))


def prob_best(arms: Sequence[Posterior], *, seed: int = 0, draws: int = MC_DRAWS) -> list[float]:
    """The probability that each arm has the highest rate: exact for two arms with a whole alpha,
    else `draws` seeded Monte Carlo draws (the same figures for the same counts and seed)."""
    if not arms:
        return []
    if len(arms) == 1:
        return [1.0]
    if len(arms) == 2 and float(arms[1].alpha).is_integer():
        second = prob_b_beats_a(arms[0], arms[1])
        return [1.0 - second, second]
    rng = random.Random(seed)
    wins = [0] * len(arms)
    for _ in range(draws):
        values = [arm.draw(rng) for arm in arms]
        wins[values.index(max(values))] += 1
    return [w / draws for w in wins]


def results_needed(counts: Sequence[tuple[int, int]]) -> int | None:
    """How many more offers, shared as now, would put the leader ahead of the runner-up at 95 %
    one-sided (normal approximation, today's rates assumed to hold): 0 when already settled,
    None when it cannot be told (fewer than two arms with offers, or equal rates)."""
    arms = [(k, n) for k, n in counts if n > 0]
    if len(arms) < 2:
        return None
    ranked = sorted(arms, key=lambda kn: kn[0] / kn[1], reverse=True)
    (k1, n1), (k2, n2) = ranked[0], ranked[1]
    p1, p2 = k1 / n1, k2 / n2
    if p1 == p2:
        return None
    # A rate of 0 or 1 has no spread; half an observation keeps the variance honest.
    v1 = max(p1 * (1 - p1), 0.5 / n1) / n1
    v2 = max(p2 * (1 - p2), 0.5 / n2) / n2
    z = (p1 - p2) / math.sqrt(v1 + v2)
    if z >= Z95_ONE_SIDED:
        return 0
    factor = (Z95_ONE_SIDED / z) ** 2
    total = sum(n for _, n in arms)
    return math.ceil(total * (factor - 1))
