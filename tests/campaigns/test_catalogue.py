"""The per-process catalogue copy behind the recommendations is never staler than it may be."""

import datetime
from decimal import Decimal

import pytest

from campaigns import catalogue
from campaigns.models import Campaign, CampaignStatus, ScriptVersion
from campaigns.selectors import recommendations_for
from offers.models import Offer, Segment
from tests.campaigns.conftest import NOW

pytestmark = pytest.mark.django_db


def reasons(account):
    return {r.campaign.code: r.reasons for r in recommendations_for(account=account, now=NOW)}


def test_a_campaign_saved_by_a_manager_shows_at_once(account, targets):
    assert reasons(account)["TEST_CRM_MR03_W4"] == []
    campaign = targets[1].campaign
    campaign.status = CampaignStatus.PAUSED
    campaign.save()
    assert reasons(account)["TEST_CRM_MR03_W4"] == ["campaign_inactive"]


def test_a_change_that_bypasses_the_models_shows_after_max_age(account, targets, monkeypatch):
    reasons(account)
    Campaign.objects.filter(code="TEST_CRM_MR03_W4").update(status=CampaignStatus.PAUSED)
    assert reasons(account)["TEST_CRM_MR03_W4"] == []  # the copy is still fresh
    monkeypatch.setattr(catalogue, "MAX_AGE", 0)
    assert reasons(account)["TEST_CRM_MR03_W4"] == ["campaign_inactive"]


def test_the_copy_is_reused_while_the_version_holds(account, targets, django_assert_num_queries):
    reasons(account)
    first = catalogue.current()
    with django_assert_num_queries(0):
        assert catalogue.current() is first
    catalogue.bump()
    assert catalogue.current() is not first


def test_a_steady_catalogue_keeps_its_copy_and_memo_past_max_age(account, targets, monkeypatch):
    """MAX_AGE on, nothing changed: the rows are read again, the models and what the readers
    worked out on them are not."""
    reasons(account)
    first = catalogue.current()
    assert first.memo
    monkeypatch.setattr(catalogue, "MAX_AGE", 0)
    monkeypatch.setattr(catalogue, "_load", lambda *args: pytest.fail("reloaded"))
    kept = catalogue.current()
    assert kept.campaigns is first.campaigns
    assert kept.memo is first.memo
    assert reasons(account)["TEST_CRM_MR03_W4"] == []


def test_a_kept_copy_starts_a_new_memo_on_a_new_day(account, targets, monkeypatch):
    reasons(account)
    first = catalogue.current()
    monkeypatch.setattr(catalogue, "MAX_AGE", 0)
    monkeypatch.setattr(
        catalogue.timezone, "localdate", lambda: first.day + datetime.timedelta(days=1)
    )
    kept = catalogue.current()
    assert kept.campaigns is first.campaigns
    assert kept.memo == {}


@pytest.mark.parametrize(
    "change",
    [
        "campaign_status",
        "offer_price",
        "campaign_segments",
        "script_version",
    ],
)
def test_every_change_that_bypasses_the_models_shows_after_max_age(
    account, targets, broadband, monkeypatch, change
):
    """Queryset writes send no signal: the rows checked after MAX_AGE see them all the same."""
    campaign = Campaign.objects.get(code="TEST_CRM_MR03_W4")
    recommendations_for(account=account, now=NOW)
    first = catalogue.current()
    if change == "campaign_status":
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.PAUSED)
    elif change == "offer_price":
        Offer.objects.filter(pk=campaign.offer_id).update(monthly_price=Decimal("777.00"))
    elif change == "campaign_segments":
        [segment] = Segment.objects.bulk_create([Segment(code="elsewhere", name="Elsewhere")])
        Campaign.segments.through.objects.bulk_create(
            [Campaign.segments.through(campaign_id=campaign.pk, segment_id=segment.pk)]
        )
    else:
        ScriptVersion.objects.bulk_create(
            [ScriptVersion(campaign=campaign, label="B", script_template="{customer}: B")]
        )
    assert catalogue.current() is first  # still fresh
    monkeypatch.setattr(catalogue, "MAX_AGE", 0)
    reloaded = catalogue.current()
    assert reloaded.campaigns is not first.campaigns
    assert reloaded.memo == {}
    fresh = reloaded.campaigns[campaign.pk]
    if change == "campaign_status":
        assert reasons(account)["TEST_CRM_MR03_W4"] == ["campaign_inactive"]
    elif change == "offer_price":
        assert fresh.offer.monthly_price == Decimal("777.00")
    elif change == "campaign_segments":
        assert len(fresh.segment_sets) == len(first.campaigns[campaign.pk].segment_sets) + 1
    else:
        assert [v.label for v in fresh.running_versions][-1:] == ["B"]
