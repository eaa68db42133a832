"""Ranking recommendations by expected value, explained in words.

    expected value = propensity × value × lever

- propensity: the learned chance that a customer like this one agrees (campaigns.learning
  .propensity: the most specific level known for the campaign, the account's services and the
  call's context — need heard or cold);
- value: what one agreement is worth, the manager's choice per campaign (the offer's monthly fee
  by default, or a fixed amount);
- lever: the manager's priority, 100 = 1.0.

Eligibility filters first (an offer that may not be made now is never above one that may), a
customer «thinking» about an offer breaks a tie in its favour, and campaigns of one product stay
together (R6), placed by their best member. Exploration: for a campaign with an exploration share,
that share of calls ranks it by a draw from its Beta posterior (Thompson sampling) instead of the
mean; with no share the order is deterministic. Pure functions: no query.
"""

import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from campaigns.learning import propensity, stats
from campaigns.models import ResultCode, ValueBasis

REASON_LIKELY = _("About %(n)s in 100 similar customers agree")
REASON_VALUE = _("an agreement is worth %(value)s ₽")
REASON_PRIORITY = _("campaign priority %(priority)s")
REASON_FIRST = _("First: the highest expected value, %(ev)s ₽ per offer.")
REASON_EXPLORED = _("Shown higher to learn more about it (exploration).")
REASON_NOT_NOW = _("Cannot be offered now.")
REASON_THINKING = _("The customer is thinking about it.")
REASON_NEED = _("the customer's need is heard")


@dataclass(frozen=True)
class Score:
    propensity: float
    value: Decimal
    lever: float
    expected_value: float
    explored: bool = False


def value_of(campaign) -> Decimal:
    if campaign.value_basis == ValueBasis.FIXED:
        return Decimal(campaign.value_amount)
    return Decimal(campaign.offer.monthly_price)


def lever_of(campaign) -> float:
    return campaign.priority / 100


def score(
    campaign,
    *,
    table: dict,
    segment_key: str,
    need_heard: bool,
    rng: random.Random | None = None,
) -> Score:
    alpha, beta = propensity.lookup(
        table,
        campaign_id=campaign.pk,
        offer_id=campaign.offer_id,
        kind=campaign.offer.kind,
        need_heard=need_heard,
        segment_key=segment_key,
    )
    posterior = stats.Posterior(alpha, beta)
    explored = bool(
        rng is not None
        and campaign.exploration_share
        and rng.random() * 100 < campaign.exploration_share
    )
    chance = posterior.draw(rng) if explored else posterior.mean
    value = value_of(campaign)
    lever = lever_of(campaign)
    return Score(chance, value, lever, chance * float(value) * lever, explored)


def rank(verdicts: list, scores: dict) -> list:
    """Verdicts best first; `scores` by campaign id."""

    def key(verdict):
        campaign = verdict.target.campaign
        return (
            not verdict.eligible,
            -scores[campaign.pk].expected_value,
            verdict.target.result != ResultCode.THINKING,
            campaign.code,
        )

    groups: dict[int, list] = {}
    for verdict in sorted(verdicts, key=key):
        groups.setdefault(verdict.target.campaign.offer_id, []).append(verdict)
    return [v for group in groups.values() for v in group]


def _money(amount) -> str:
    return number_format(Decimal(amount).quantize(Decimal("0.01")), decimal_pos=2, use_l10n=True)


def reason(verdict, score_: Score, *, first: bool, need_heard: bool, language=None) -> str:
    """Why it stands where it does, in the agent's words (in `language`, by default the active
    one): «Соглашаются ~14 из 100 похожих клиентов; согласие стоит 139,00 ₽; приоритет кампании
    100.»"""
    language = language or get_language()
    if not verdict.eligible:
        return _not_now(language)
    return _reason(
        language,
        score_,
        first and not score_.explored,
        bool(need_heard),
        verdict.target.campaign.priority,
        verdict.target.result == ResultCode.THINKING,
    )


@functools.lru_cache(maxsize=64)
def _not_now(language) -> str:
    return gettext(REASON_NOT_NOW)


# Every card of every call says this; the scores repeat (a score is remembered per catalogue copy,
# campaign and context), so each sentence is worked out once per language and score.
@functools.lru_cache(maxsize=4096)
def _reason(language, score_: Score, shown_first, need_heard, priority, thinking) -> str:
    return _reason_text(
        language,
        round(score_.propensity * 100),
        need_heard,
        _cents(score_.value),
        priority,
        thinking,
        score_.explored,
        _cents(score_.expected_value) if shown_first else None,
    )


def _cents(amount) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


# Every card of every call says this; the sentences repeat (a few campaigns, rounded figures), so
# each is composed once per language rather than from a dozen translation look-ups each time.
@functools.lru_cache(maxsize=4096)
def _reason_text(language, n, need_heard, value, priority, thinking, explored, first_ev) -> str:
    parts = [gettext(REASON_LIKELY) % {"n": n}]
    if need_heard:
        parts[0] += " (" + gettext(REASON_NEED) + ")"
    parts.append(gettext(REASON_VALUE) % {"value": _money(value)})
    parts.append(gettext(REASON_PRIORITY) % {"priority": priority})
    text = "; ".join(parts) + "."
    if thinking:
        text += " " + gettext(REASON_THINKING)
    if explored:
        text += " " + gettext(REASON_EXPLORED)
    elif first_ev is not None:
        text += " " + gettext(REASON_FIRST) % {"ev": _money(first_ev)}
    return text
