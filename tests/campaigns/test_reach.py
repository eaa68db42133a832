"""The reach preview of a campaign (issue 12 §3): the set-based counts equal `eligibility.judge`
account by account, and the expected orders follow the deck's 5–20 % or the learned acceptance.

Sample (seeded): accounts in and out of the segments, holding the offer or not, credit and
advance, blocked, negative, short of the first charge or not, in a region with an outage or not,
refused within the cooldown, just outside it, or never.
"""

import dataclasses
import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import catalogue, eligibility
from campaigns.models import CampaignStatus, PaymentModel, ResultCode
from campaigns.reach import reach_preview
from campaigns.recommendations import account_for_workspace, situation_for, targets_of
from offers.models import ServiceCode
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    OutageFactory,
    SubscriberAccountFactory,
)
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2025, 11, 14, 12, 0, tzinfo=datetime.UTC)
CALL_ONLY = {eligibility.Reason.CAMPAIGN_INACTIVE, eligibility.Reason.PEAK_HOURS}


@pytest.fixture
def services():
    return {code: ServiceFactory(code=code) for code in ServiceCode}


@pytest.fixture
def campaign(services):
    bb, tv = services[ServiceCode.BROADBAND], services[ServiceCode.IPTV]
    offer = OfferFactory(service=bb, monthly_price=Decimal("139.00"))
    return CampaignFactory(
        offer=offer,
        status=CampaignStatus.DRAFT,
        cooldown_days=30,
        segments=[
            SegmentFactory(services=[bb]),
            SegmentFactory(services=[bb, tv]),
        ],
    )


def _sample(campaign, services, n=60, seed=7):
    rng = random.Random(seed)
    OutageFactory(region="Казань", starts_at=NOW - datetime.timedelta(hours=1))
    # Mobile defines no segment: a household with it is compared without it (R12).
    pool = [services[c] for c in ServiceCode]
    for _ in range(n):
        account = SubscriberAccountFactory(
            payment_model=rng.choice([PaymentModel.ADVANCE, PaymentModel.CREDIT]),
            balance=Decimal(rng.choice(["-10", "0", "5", "100", "500"])),
            financial_block=rng.random() < 0.15,
            region=rng.choice(["Москва", "Казань", "Тула"]),
            services=rng.sample(pool, rng.randint(0, 4)),
            offers=[campaign.offer] if rng.random() < 0.15 else [],
        )
        refused = rng.choice([None, 5, 29, 31])
        CampaignTargetFactory(
            campaign=campaign,
            account=account,
            result=ResultCode.NOT_INTERESTED if refused else ResultCode.NOT_OFFERED,
            result_at=NOW - datetime.timedelta(days=refused) if refused else None,
        )


def _one_by_one(campaign):
    """Each target judged as the workspace judges it, less what only a call knows."""
    counts, eligible = {}, 0
    for target in campaign.targets.select_related("account"):
        account = account_for_workspace(number=target.account.number, now=NOW)
        situation = dataclasses.replace(
            situation_for(account=account, appeal=None, now=NOW), peak_hours=False
        )
        judged = next(t for t in targets_of(account.pk) if t.campaign.pk == campaign.pk)
        reasons = set(eligibility.judge(judged, situation).reasons) - CALL_ONLY
        eligible += not reasons
        for reason in reasons:
            counts[reason] = counts.get(reason, 0) + 1
    return eligible, counts


def test_counts_equal_a_per_account_evaluation(campaign, services):
    _sample(campaign, services)
    catalogue.forget()
    reach = reach_preview(campaign=campaign, now=NOW)
    eligible, counts = _one_by_one(campaign)
    assert reach.targets == 60
    assert reach.eligible == eligible
    assert {code: n for code, _label, n in reach.reasons} == counts
    assert len(counts) >= 5  # the sample exercises most reasons
    assert reach.blocked == 60 - eligible


def test_an_outage_counts_the_region_whatever_its_case(services):
    """The preview groups the rows by the region as stored and case-folds each group's region."""
    campaign = CampaignFactory(status=CampaignStatus.DRAFT)
    OutageFactory(region="Казань", starts_at=NOW - datetime.timedelta(hours=1))
    OutageFactory(region="САНКТ-ПЕТЕРБУРГ", starts_at=NOW - datetime.timedelta(hours=1))
    for region in ["Казань", "КАЗАНЬ", "казань", "санкт-петербург", "Москва", "Казань-2", ""]:
        CampaignTargetFactory(
            campaign=campaign,
            account=SubscriberAccountFactory(region=region, balance=Decimal("500")),
        )
    reach = reach_preview(campaign=campaign, now=NOW)
    assert (reach.targets, reach.eligible) == (7, 3)
    assert [(code, n) for code, _label, n in reach.reasons] == [("outage", 4)]


def test_no_segments_means_everyone_is_in_and_no_targets_is_zero(services):
    empty = CampaignFactory(status=CampaignStatus.PAUSED)
    reach = reach_preview(campaign=empty, now=NOW)
    assert (reach.targets, reach.eligible, reach.reasons) == (0, 0, [])
    CampaignTargetFactory(campaign=empty, account=SubscriberAccountFactory(balance=Decimal("500")))
    reach = reach_preview(campaign=empty, now=NOW)
    assert (reach.targets, reach.eligible) == (1, 1)


def test_expected_orders_are_the_decks_range_until_the_offer_has_a_history(campaign, services):
    for _ in range(40):
        CampaignTargetFactory(
            campaign=campaign,
            account=SubscriberAccountFactory(
                balance=Decimal("500"), services=[services[ServiceCode.BROADBAND]]
            ),
        )
    reach = reach_preview(campaign=campaign, now=NOW)
    assert (reach.eligible, reach.expected_low, reach.expected_high) == (40, 2, 8)
    assert reach.learned_rate is None
    earlier = CampaignFactory(offer=campaign.offer, status=CampaignStatus.ARCHIVED)
    for n in range(30):
        CampaignTargetFactory(
            campaign=earlier,
            result=ResultCode.AGREED if n < 9 else ResultCode.NOT_INTERESTED,
            result_at=timezone.now(),
        )
    reach = reach_preview(campaign=campaign, now=NOW)
    assert reach.learned_rate == Decimal("0.3")
    assert (reach.expected_low, reach.expected_high, reach.learned_offers) == (12, 12, 30)


def test_the_preview_runs_a_constant_number_of_queries(
    campaign, services, django_assert_max_num_queries
):
    _sample(campaign, services, n=10)
    with django_assert_max_num_queries(12) as captured:
        reach_preview(campaign=campaign, now=NOW)
    before = len(captured)
    _sample(campaign, services, n=20, seed=8)
    with django_assert_max_num_queries(before):
        reach_preview(campaign=campaign, now=NOW)


def test_the_campaign_page_shows_the_reach_of_a_draft_and_not_of_a_running_one(
    client, manager, campaign, services, django_assert_max_num_queries
):
    from django.urls import reverse

    _sample(campaign, services, n=12)
    client.force_login(manager)
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    html = client.get(url).content.decode()
    reach = reach_preview(campaign=campaign)
    assert 'id="campaign-reach"' in html
    assert (
        f'<span class="campaign-funnel-count" id="reach-eligible">{reach.eligible}</span>' in html
    )
    assert "Охват при запуске сейчас" in html
    for code, label, count in reach.reasons:
        assert f'data-reason="{code}"' in html and label in html
        assert f'<span class="reach-bar-count">{count}</span>' in html
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _sample(campaign, services, n=12, seed=9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    campaign.status = CampaignStatus.ACTIVE
    campaign.save()
    assert 'id="campaign-reach"' not in client.get(url).content.decode()


def test_the_demo_has_a_draft_whose_reach_the_manager_can_preview():
    from io import StringIO

    from django.core.management import call_command

    from campaigns.demo.reach import CODE
    from campaigns.models import Campaign

    call_command("seed_demo", stdout=StringIO())
    draft = Campaign.objects.get(code=CODE)
    reach = reach_preview(campaign=draft)
    assert draft.status == CampaignStatus.DRAFT
    assert reach.targets > reach.eligible > 0
    assert {code for code, _label, _n in reach.reasons} >= {"not_in_segment", "already_has"}
