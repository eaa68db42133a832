"""The per-process catalogue copy behind the recommendations is never staler than it may be."""

import pytest

from campaigns import catalogue
from campaigns.models import Campaign, CampaignStatus
from campaigns.selectors import recommendations_for
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
