"""Eligibility with reasons (R1, R2, R9, cooldown, segments) and ranking (R6)."""

import datetime
from decimal import Decimal

import pytest

from campaigns.models import CampaignStatus, PaymentModel, ResultCode
from campaigns.selectors import recommendations_for
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import (
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    OutageFactory,
    PeakHoursFactory,
)
from tests.offers.factories import OfferFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def recs(account, appeal=None, now=NOW):
    return recommendations_for(account=account, appeal=appeal, now=now)


def reasons(account, **kwargs):
    return [r.reasons for r in recs(account, **kwargs)]


def by_code(account, **kwargs):
    return {r.campaign.code: r.reasons for r in recs(account, **kwargs)}


def test_both_antivirus_campaigns_are_eligible_for_the_demo_account(account, targets):
    result = recs(account)
    assert [r.campaign.code for r in result] == ["Антивирус_vo12_CRM_MR03", "TEST_CRM_MR03_W4"]
    assert all(r.eligible and r.reasons == [] for r in result)


def test_script_is_rendered_for_the_customer_with_price_per_day(account, targets):
    script = recs(account)[0].script
    # 139 ₽ / 30 days of November = 4.63 ₽ a day
    assert script == "Евгений Михайлович, антивирус за 4,63 ₽ в день, 30 дней бесплатно."


def test_advance_model_with_negative_balance_is_not_offered(account, targets):
    account.balance = Decimal("-0.01")
    account.save()
    assert reasons(account) == [["negative_balance"], ["negative_balance"]]


def test_advance_model_needs_funds_for_the_prorated_first_charge(account, targets, antivirus):
    antivirus.promo_days = 0
    antivirus.monthly_price = Decimal("1500.00")
    antivirus.save()
    # 25 November: 6 of 30 days left, 1500 × 6 / 30 = 300.00 > 224.55
    assert reasons(account)[0] == ["insufficient_funds"]
    account.balance = Decimal("300.00")
    account.save()
    assert reasons(account)[0] == []


def test_free_promo_period_needs_no_funds(account, targets):
    account.balance = Decimal("0.00")
    account.save()
    assert reasons(account)[0] == []


def test_credit_model_is_blocked_only_by_a_financial_block(account, targets):
    account.payment_model = PaymentModel.CREDIT
    account.balance = Decimal("-500.00")
    account.save()
    assert reasons(account)[0] == []
    account.financial_block = True
    account.save()
    assert reasons(account)[0] == ["financial_block"]


def test_peak_hours_exclude_every_offer(account, targets):
    local = datetime.datetime(2026, 11, 25, 15, 0)  # Moscow time of NOW
    PeakHoursFactory(
        weekday=local.weekday(), starts_at=datetime.time(14, 0), ends_at=datetime.time(16, 0)
    )
    assert reasons(account)[0] == ["peak_hours"]
    assert reasons(account, now=NOW + datetime.timedelta(hours=2))[0] == []


def test_inactive_peak_hours_window_does_not_apply(account, targets):
    PeakHoursFactory(
        weekday=2, starts_at=datetime.time(0, 0), ends_at=datetime.time(23, 59), is_active=False
    )
    assert reasons(account)[0] == []


def test_global_outage_excludes_offers_until_switched_off(account, targets):
    outage = OutageFactory(starts_at=NOW - datetime.timedelta(hours=1))
    assert reasons(account)[0] == ["outage"]
    outage.is_active = False
    outage.save()
    assert reasons(account)[0] == []


def test_regional_outage_applies_to_that_region_only(account, targets):
    OutageFactory(starts_at=NOW - datetime.timedelta(hours=1), region="Тверь")
    assert reasons(account)[0] == []
    account.region = "Тверь"
    account.save()
    assert reasons(account)[0] == ["outage"]


def test_ended_outage_does_not_apply(account, targets):
    OutageFactory(
        starts_at=NOW - datetime.timedelta(hours=3), ends_at=NOW - datetime.timedelta(hours=1)
    )
    assert reasons(account)[0] == []


def test_unresolved_question_comes_first_r1(account, targets, agent):
    appeal = AppealFactory(account=account, agent=agent, question_resolved=False)
    assert reasons(account, appeal=appeal)[0] == ["question_unresolved"]


@pytest.mark.parametrize(
    ("flag", "code"),
    [
        ("negative_customer", "negative_customer"),
        ("complaint", "complaint"),
        ("not_service_user", "not_service_user"),
    ],
)
def test_appeal_flags_exclude_offers_r9(account, targets, agent, flag, code):
    appeal = AppealFactory(account=account, agent=agent, **{flag: True})
    assert reasons(account, appeal=appeal)[0] == [code]


def test_every_reason_that_applies_is_reported(account, targets, agent):
    appeal = AppealFactory(account=account, agent=agent, question_resolved=False, complaint=True)
    account.balance = Decimal("-1")
    account.save()
    assert reasons(account, appeal=appeal)[0] == [
        "question_unresolved",
        "complaint",
        "negative_balance",
    ]


def test_refusal_starts_a_cooldown_of_the_campaigns_days(account, targets):
    target = targets[0]
    target.campaign.cooldown_days = 30
    target.campaign.save()
    target.result = ResultCode.NOT_INTERESTED
    target.result_at = NOW - datetime.timedelta(days=29)
    target.save()
    assert by_code(account)[target.campaign.code] == ["cooldown"]
    target.result_at = NOW - datetime.timedelta(days=31)
    target.save()
    assert by_code(account)[target.campaign.code] == []


def test_thinking_is_no_cooldown(account, targets):
    targets[0].result = ResultCode.THINKING
    targets[0].result_at = NOW - datetime.timedelta(days=1)
    targets[0].save()
    assert reasons(account)[0] == []


def test_account_outside_the_campaign_segments_is_not_offered(account, targets, broadband, iptv):
    SegmentFactory(code="bb-tv", services=[broadband, iptv])  # IPTV defines segments (R12)
    account.services.add(iptv)  # broadband + IPTV is not the broadband-only segment
    assert reasons(account)[0] == ["not_in_segment"]


def test_campaign_without_segments_is_for_everyone(account, targets):
    targets[0].campaign.segments.clear()
    account.services.clear()
    result = {r.campaign.code: r.reasons for r in recs(account)}
    assert result["Антивирус_vo12_CRM_MR03"] == []
    assert result["TEST_CRM_MR03_W4"] == ["not_in_segment"]


def test_customer_who_has_the_offer_is_not_offered_it_again(account, targets, antivirus):
    account.offers.add(antivirus)
    assert reasons(account) == [["already_has"], ["already_has"]]


@pytest.mark.parametrize(
    ("status", "starts", "ends"),
    [
        (CampaignStatus.PAUSED, datetime.date(2026, 11, 1), None),
        (CampaignStatus.DRAFT, datetime.date(2026, 11, 1), None),
        (CampaignStatus.ACTIVE, datetime.date(2026, 12, 1), None),
        (CampaignStatus.ACTIVE, datetime.date(2026, 10, 1), datetime.date(2026, 11, 24)),
    ],
)
def test_campaign_not_running_today_is_inactive(account, targets, status, starts, ends):
    campaign = targets[0].campaign
    campaign.status, campaign.starts_on, campaign.ends_on = status, starts, ends
    campaign.save()
    assert {r.campaign.code: r.reasons for r in recs(account)}[campaign.code] == [
        "campaign_inactive"
    ]


def test_ineligible_offers_are_listed_after_eligible_ones_never_hidden(account, targets, broadband):
    other = CampaignFactory(code="SPEED", priority=500, offer=OfferFactory(service=broadband))
    CampaignTargetFactory(campaign=other, account=account)
    account.offers.add(other.offer)
    codes = [(r.campaign.code, r.eligible) for r in recs(account)]
    assert codes == [
        ("Антивирус_vo12_CRM_MR03", True),
        ("TEST_CRM_MR03_W4", True),
        ("SPEED", False),
    ]


def test_static_ranking_by_priority_then_thinking_then_value(account, broadband, settings):
    # The ranking before the learning (RECOMMENDATION_RANKING=static); the expected-value ranking
    # is tests/campaigns/test_learning_ranking.py.
    settings.RECOMMENDATION_RANKING = "static"
    low, high, thinking, dear = (
        CampaignFactory(
            code=code,
            priority=priority,
            offer=OfferFactory(service=broadband, monthly_price=price),
        )
        for code, priority, price in [
            ("LOW", 10, Decimal("10")),
            ("HIGH", 90, Decimal("10")),
            ("THINKING", 50, Decimal("10")),
            ("DEAR", 50, Decimal("100")),
        ]
    )
    for campaign in (low, high, thinking, dear):
        target = CampaignTargetFactory(campaign=campaign, account=account)
        if campaign is thinking:
            target.result = ResultCode.THINKING
            target.save()
    assert [r.campaign.code for r in recs(account)] == ["HIGH", "THINKING", "DEAR", "LOW"]


def test_campaigns_of_the_same_product_are_grouped_r6(account, targets, broadband):
    middle = CampaignFactory(code="MIDDLE", priority=95, offer=OfferFactory(service=broadband))
    CampaignTargetFactory(campaign=middle, account=account)
    assert [r.campaign.code for r in recs(account)] == [
        "Антивирус_vo12_CRM_MR03",
        "TEST_CRM_MR03_W4",
        "MIDDLE",
    ]


@pytest.mark.parametrize(
    ("payment_model", "balance", "block"),
    [
        (PaymentModel.ADVANCE, Decimal("224.55"), False),
        (PaymentModel.ADVANCE, Decimal("5.00"), False),
        (PaymentModel.ADVANCE, Decimal("-1.00"), False),
        (PaymentModel.CREDIT, Decimal("-500.00"), False),
        (PaymentModel.CREDIT, Decimal("10.00"), True),
    ],
)
def test_verdicts_with_the_copys_memo_equal_those_worked_out_afresh(
    account, targets, antivirus, payment_model, balance, block
):
    """The copy remembers a campaign's running and first charge per day: every verdict, on both
    days of a campaign's end and across calls, is the one `judge` works out without the memo."""
    from campaigns import catalogue, eligibility
    from campaigns.recommendations import account_for_workspace, situation_for, targets_of

    antivirus.promo_days = 0
    antivirus.save()
    campaign = targets[0].campaign
    campaign.ends_on = datetime.date(2026, 11, 27)
    campaign.save()
    account.payment_model, account.balance, account.financial_block = payment_model, balance, block
    account.save()
    loaded = account_for_workspace(number=account.number, now=NOW)
    snapshot = catalogue.current()
    ended = {}
    for now in (NOW, NOW + datetime.timedelta(days=3), NOW):
        situation = situation_for(account=loaded, appeal=None, now=now, snapshot=snapshot)
        for target in targets_of(loaded.pk):
            remembered = eligibility.judge(target, situation, snapshot.memo).reasons
            assert remembered == eligibility.judge(target, situation).reasons
            if target.campaign.pk == campaign.pk:
                ended[now] = "campaign_inactive" in remembered
    assert ended == {NOW: False, NOW + datetime.timedelta(days=3): True}
    assert any(isinstance(key, tuple) and key[0] == "verdict" for key in snapshot.memo)
