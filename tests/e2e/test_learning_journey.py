"""Learning from results in Chromium, keyboard only, at 768 px: the manager starts an A/B test
on a campaign, reads the A/B table and the propensities, promotes the winner; the agent's card
says in words why its first offer stands first. No console error, no horizontal scroll, Russian
that reads right."""

import pytest
from django.urls import reverse

from campaigns.learning import propensity
from campaigns.models import ScriptVersion, VersionStatus
from tests.campaigns.factories import (
    AgentProfileFactory,
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
    ScriptVersionFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import ManagerFactory
from tests.conftest import requires_chromium
from tests.e2e.admin_walk import log_in as admin_log_in
from tests.e2e.admin_walk import watch
from tests.e2e.conftest import log_in
from tests.e2e.russian import wrong_russian
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory

pytestmark = [pytest.mark.e2e, requires_chromium]

WIDTH = 768


@pytest.fixture
def world(transactional_db):
    manager = ManagerFactory(username="manager")
    manager.set_password("demo-manager-1")
    manager.save()
    agent = AgentProfileFactory(user__username="agent").user
    agent.set_password("demo-agent-1")
    agent.save()
    broadband = ServiceFactory(code="broadband")
    segment = SegmentFactory(name="Моно ШПД", services=[broadband])
    offer = OfferFactory(name="Антивирус", service=broadband)
    campaign = CampaignFactory(code="АВ_ТЕСТ", offer=offer, segments=[segment])
    account = SubscriberAccountFactory(number="352011070411", services=[broadband])
    CampaignTargetFactory(campaign=campaign, account=account)
    for i in range(30):
        target = CampaignTargetFactory(campaign=campaign)
        ContactHistoryEntryFactory(
            target=target,
            result="agreed" if i % 3 == 0 else "not_interested",
            segment_key="broadband",
        )
    propensity.propensities_refresh()
    AppealFactory(account=account, agent=agent)
    return campaign, account


def press(page, locator):
    locator.focus()
    page.keyboard.press("Enter")


def test_manager_runs_an_ab_test_and_the_agent_reads_why(browser_context, live_server, world):
    from playwright.sync_api import expect

    campaign, account = world
    page = browser_context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 900})
    errors = watch(page)
    seen = []

    def look():
        assert not errors, errors
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        seen.append(page.inner_text("body"))

    admin_log_in(page, live_server.url, "manager", "demo-manager-1")
    page.goto(live_server.url + reverse("admin:campaigns_campaign_change", args=[campaign.pk]))
    press(page, page.locator("#campaign-learning"))
    expect(page.locator("#propensities")).to_contain_text("broadband")
    look()

    press(page, page.get_by_role("button", name="Начать A/B-тест"))
    expect(page.locator("#ab-table")).to_contain_text("контрольная")
    version_a = ScriptVersion.objects.get(campaign=campaign, label="A")
    ScriptVersionFactory(campaign=campaign, label="B", script_template="Коротко: {offer}.")
    page.reload()
    expect(page.locator('tr[data-version="B"]')).to_be_visible()
    look()

    press(page, page.locator('tr[data-version="B"] a.campaign-panel-link'))
    press(page, page.get_by_role("button", name="Сделать основной"))
    expect(page.locator("body")).to_contain_text("единственный речевой модуль")
    version_a.refresh_from_db()
    assert version_a.status == VersionStatus.RETIRED
    look()

    browser_context.clear_cookies()
    agent_page = browser_context.new_page()
    agent_page.set_viewport_size({"width": WIDTH, "height": 900})
    agent_errors = watch(agent_page)
    log_in(agent_page, "agent", "demo-agent-1", next_url=f"/accounts/{account.number}/")
    reason = agent_page.locator(".rank-reason").first
    expect(reason).to_contain_text("Соглашаются ~")
    expect(reason).to_contain_text("из 100 похожих клиентов")
    assert not agent_errors, agent_errors
    seen.append(agent_page.inner_text("body"))

    for text in seen:
        assert not wrong_russian(text), wrong_russian(text)
