"""Ranking by expected value (propensity × value × lever), explained in words.

Table of cases:
| situation                                          | order / answer                              |
|----------------------------------------------------|---------------------------------------------|
| higher priority, much lower propensity             | the higher expected value first             |
| an ineligible offer with the highest value         | after every eligible one                    |
| two campaigns of one product (R6)                  | together, placed by the best                |
| equal expected value, one «thinking»               | the thinking one first                      |
| exploration 0 %                                    | the same order on every call                |
| exploration 100 %, seeded                          | a draw from the posterior, reproducible     |
| value basis «fixed amount»                         | that amount instead of the monthly fee      |
| need heard on the appeal                           | the heard-context propensity (deck: 65 %)   |
| RECOMMENDATION_RANKING=static                      | priority order, no propensity in the answer |
"""

import random
from decimal import Decimal

import pytest
from django.utils import translation

from campaigns import catalogue
from campaigns.learning import propensity
from campaigns.models import PropensityLevel, ResultCode, ValueBasis
from campaigns.recommendations import account_for_workspace, recommendations_for
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import AppealFactory, CampaignFactory, CampaignTargetFactory
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def _table(**by_campaign):
    """Propensities fixed per campaign (as the refresh would store them, segment level)."""
    return {
        (PropensityLevel.CAMPAIGN, "", 0, campaign.pk, "", heard): (p * 1000, (1 - p) * 1000)
        for campaign, p in by_campaign.values()
        for heard in (False, True)
    }


@pytest.fixture
def cinema(account, broadband_segment, antivirus):
    offer = OfferFactory(
        code="kino",
        name="Кино",
        kind=antivirus.kind,
        service=antivirus.service,
        monthly_price=Decimal("139.00"),
        promo_days=0,
    )
    campaign = CampaignFactory(code="KINO", offer=offer, priority=50, segments=[broadband_segment])
    return CampaignTargetFactory(campaign=campaign, account=account)


def _recs(account, appeal=None, **kwargs):
    loaded = account_for_workspace(number=account.number, now=NOW)
    return recommendations_for(account=loaded, appeal=appeal, now=NOW, **kwargs)


def test_expected_value_beats_priority(account, targets, cinema):
    antivirus = targets[0].campaign
    # Antivirus: priority 100, 5 % agree → 6.95 ₽; «Кино»: priority 50, 40 % → 27.80 ₽.
    table = _table(a=(antivirus, 0.05), b=(targets[1].campaign, 0.05), k=(cinema.campaign, 0.40))
    recs = _recs(account, table=table)
    assert recs[0].campaign.code == "KINO"
    assert recs[0].expected_value == pytest.approx(0.40 * 139 * 0.5)
    # R6: both antivirus campaigns stay together, after the cinema.
    assert [r.campaign.code for r in recs][1:] == [antivirus.code, targets[1].campaign.code]


def test_an_ineligible_offer_never_precedes_an_eligible_one(account, targets, cinema):
    account.offers.add(cinema.campaign.offer)  # already has it
    table = _table(
        a=(targets[0].campaign, 0.01), b=(targets[1].campaign, 0.01), k=(cinema.campaign, 0.9)
    )
    recs = _recs(account, table=table)
    assert recs[-1].campaign.code == "KINO"
    assert not recs[-1].eligible


def test_thinking_breaks_a_tie(account, targets, cinema):
    cinema.campaign.priority = 100
    cinema.campaign.save()
    cinema.result = ResultCode.THINKING
    cinema.save()
    table = _table(
        a=(targets[0].campaign, 0.2), b=(targets[1].campaign, 0.1), k=(cinema.campaign, 0.2)
    )
    assert _recs(account, table=table)[0].campaign.code == "KINO"


def test_without_exploration_the_order_is_deterministic(account, targets, cinema):
    propensity.propensities_refresh()
    orders = {tuple(r.campaign.code for r in _recs(account)) for _ in range(10)}
    assert len(orders) == 1


def test_exploration_draws_from_the_posterior_reproducibly(account, targets, cinema):
    cinema.campaign.exploration_share = 100
    cinema.campaign.save()
    first = [r.propensity for r in _recs(account, rng=random.Random(5))]
    again = [r.propensity for r in _recs(account, rng=random.Random(5))]
    other = [r.propensity for r in _recs(account, rng=random.Random(6))]
    assert first == again != other
    with translation.override("en"):
        recs = _recs(account, rng=random.Random(5))
    explored = next(r for r in recs if r.campaign.code == "KINO")
    assert "(exploration)" in explored.rank_reason


def test_a_fixed_value_replaces_the_monthly_fee(account, targets, cinema):
    campaign = cinema.campaign
    campaign.value_basis = ValueBasis.FIXED
    campaign.value_amount = Decimal("1000.00")
    campaign.priority = 100
    campaign.save()
    rec = next(r for r in _recs(account) if r.campaign.code == "KINO")
    assert rec.expected_value == pytest.approx(0.125 * 1000)


def test_a_heard_need_reads_the_heard_propensity(account, agent, targets):
    appeal = AppealFactory(account=account, agent=agent, need_heard=True)
    recs = _recs(account, appeal=appeal)
    assert recs[0].propensity == pytest.approx(0.65)
    cold = _recs(account, appeal=AppealFactory(account=account, agent=agent))
    assert cold[0].propensity == pytest.approx(0.125)


def test_the_card_says_why_in_russian(account, targets):
    with translation.override("ru"):
        recs = _recs(account)
    assert recs[0].rank_reason.startswith("Соглашаются ~12 из 100 похожих клиентов; ")
    assert "139,00 ₽" in recs[0].rank_reason
    assert "Первое" in recs[0].rank_reason
    assert "Первое" not in recs[1].rank_reason


def test_static_ranking_keeps_the_priority_order(account, targets, cinema, settings):
    settings.RECOMMENDATION_RANKING = "static"
    recs = _recs(account)
    assert [r.campaign.code for r in recs][-1] == "KINO"
    assert all(r.propensity is None and r.rank_reason == "" for r in recs)


def test_the_api_returns_propensity_expected_value_and_reason(api_client, agent, targets):
    api_client.force_authenticate(agent)
    catalogue.forget()
    body = api_client.get("/api/v1/accounts/352011070411/recommendations/").json()
    assert body[0]["propensity"] == pytest.approx(0.125)
    assert body[0]["expected_value"] == "17.38"
    assert body[0]["rank_reason"]


def test_every_new_field_is_in_the_schema(client, manager):
    client.force_login(manager)
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    recommendation = schemas["Recommendation"]["properties"]
    for name in ("propensity", "expected_value", "rank_reason", "script_version"):
        assert name in recommendation
        assert recommendation[name].get("description")
    inputs = [v for k, v in schemas.items() if k.startswith("ResultInput")]
    assert inputs and all("need_heard" in v["properties"] for v in inputs)
    assert "need_heard" in schemas["Appeal"]["properties"]
