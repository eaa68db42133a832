"""The propensity table learned from results.

Table of cases (unit: a recommendation offered in a context; success: «agreed» recorded on it):
| results on a target                       | offered | agreed |
|-------------------------------------------|---------|--------|
| none / only «not offered»                 | 0       | 0      |
| «thinking»                                | 1       | 0      |
| «thinking», later «agreed» (same context) | 1       | 1      |
| «not interested» cold, «agreed» heard     | 1 + 1   | 0 + 1  |
| two campaigns of one product (R6)         | campaign: 1 each; offer: 1 customer |
Priors: the deck (cold 12.5 %, heard 65 %) → kind → offer → campaign → campaign × segment, each
level the parent's mean worth 20 results; a level with no results of its own reads its parent's
mean at that strength.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import catalogue
from campaigns.learning import propensity
from campaigns.models import Propensity, PropensityLevel
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
    SubscriberAccountFactory,
)

pytestmark = pytest.mark.django_db


def _entry(target, result, need_heard=False, segment_key="broadband"):
    return ContactHistoryEntryFactory(
        target=target, result=result, need_heard=need_heard, segment_key=segment_key
    )


def _row(level, **key):
    return Propensity.objects.get(level=level, **key)


def test_without_results_the_deck_speaks():
    assert propensity.propensities_refresh() == 0
    cold = propensity.lookup({}, campaign_id=1, offer_id=1, kind="option", need_heard=False)
    heard = propensity.lookup({}, campaign_id=1, offer_id=1, kind="option", need_heard=True)
    assert cold == pytest.approx((2.5, 17.5))
    assert heard == pytest.approx((13.0, 7.0))


def test_the_unit_is_an_offered_recommendation_per_context(targets):
    first, second = targets
    _entry(first, "not_offered")
    _entry(first, "thinking")
    _entry(first, "agreed")
    _entry(second, "not_interested", need_heard=False)
    _entry(second, "agreed", need_heard=True)
    propensity.propensities_refresh()
    campaign_rows = {
        (r.campaign_id, r.need_heard): (r.offered, r.agreed)
        for r in Propensity.objects.filter(level=PropensityLevel.CAMPAIGN)
    }
    assert campaign_rows == {
        (first.campaign_id, False): (1, 1),
        (second.campaign_id, False): (1, 0),
        (second.campaign_id, True): (1, 1),
    }


def test_r6_siblings_count_one_customer_at_the_offer_level(targets):
    for target in targets:
        _entry(target, "agreed")
    propensity.propensities_refresh()
    offer = _row(PropensityLevel.OFFER, offer_id=targets[0].campaign.offer_id, need_heard=False)
    assert (offer.offered, offer.agreed) == (1, 1)
    kind = _row(PropensityLevel.KIND, kind=targets[0].campaign.offer.kind, need_heard=False)
    assert (kind.offered, kind.agreed) == (1, 1)
    # Kind: the deck's cold prior (2.5, 17.5) plus one success.
    assert (kind.alpha, kind.beta) == pytest.approx((3.5, 17.5))


def test_each_level_starts_from_its_parents_mean(targets, account):
    target = targets[0]
    for _ in range(6):
        other = CampaignTargetFactory(campaign=target.campaign, account=SubscriberAccountFactory())
        _entry(other, "agreed")
    _entry(target, "not_interested")
    propensity.propensities_refresh()
    offer = _row(PropensityLevel.OFFER, offer_id=target.campaign.offer_id, need_heard=False)
    campaign = _row(PropensityLevel.CAMPAIGN, campaign_id=target.campaign_id, need_heard=False)
    segment = _row(
        PropensityLevel.SEGMENT,
        campaign_id=target.campaign_id,
        segment_key="broadband",
        need_heard=False,
    )
    assert (campaign.alpha + campaign.beta) == pytest.approx(20 + 7)
    assert (campaign.alpha - 6) / 20 == pytest.approx(offer.mean)
    assert (segment.alpha - 6) / 20 == pytest.approx(campaign.mean)
    assert offer.mean > 0.125  # six of seven agreed: the evidence moves the deck's prior up


def test_a_new_campaign_starts_from_its_offers_evidence(targets):
    for target in targets:
        _entry(target, "agreed")
    propensity.propensities_refresh()
    newcomer = CampaignFactory(offer=targets[0].campaign.offer)
    table = catalogue.current().propensities
    alpha, beta = propensity.lookup(
        table,
        campaign_id=newcomer.pk,
        offer_id=newcomer.offer_id,
        kind=newcomer.offer.kind,
        need_heard=False,
        segment_key="broadband",
    )
    offer = _row(PropensityLevel.OFFER, offer_id=newcomer.offer_id, need_heard=False)
    assert alpha / (alpha + beta) == pytest.approx(offer.mean)
    assert alpha + beta == pytest.approx(20)  # as uncertain as a prior


def test_refresh_is_idempotent(targets):
    _entry(targets[0], "agreed")
    propensity.propensities_refresh()
    first = list(Propensity.objects.values_list("level", "offered", "agreed", "alpha", "beta"))
    propensity.propensities_refresh()
    again = list(Propensity.objects.values_list("level", "offered", "agreed", "alpha", "beta"))
    assert first == again


def _queries_of_refresh():
    with CaptureQueriesContext(connection) as captured:
        propensity.propensities_refresh()
    return len(captured)


def test_refresh_runs_a_constant_number_of_queries(targets):
    _entry(targets[0], "agreed")
    few = _queries_of_refresh()
    for i in range(25):
        campaign = CampaignFactory(offer=targets[0].campaign.offer)
        target = CampaignTargetFactory(campaign=campaign)
        _entry(target, "agreed" if i % 3 else "not_interested", need_heard=bool(i % 2))
    catalogue.bump()
    assert _queries_of_refresh() == few


def test_refresh_moves_the_catalogue_version(targets, django_capture_on_commit_callbacks):
    _entry(targets[0], "agreed")
    before = catalogue.current().version
    with django_capture_on_commit_callbacks(execute=True):
        propensity.propensities_refresh()
    assert catalogue.current().version != before
    assert catalogue.current().propensities
