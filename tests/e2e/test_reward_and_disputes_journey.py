"""Issue 12 §2 and §4 in Chromium, keyboard only, at 768 px: the agent reads the reward on each
offer card; the agent disputes a statement line from «Мои результаты», the supervisor accepts it
on «Споры» and the agent reads the decision and the adjustment on «Мои результаты»."""

import pytest
from django.utils import timezone

from config.celery_app import app as celery_app
from offers.models import OfferKind, ServiceCode
from rewards.models import StatementDispute
from tests.campaigns.factories import (
    CampaignTargetFactory,
    SubscriberAccountFactory,
    TeamFactory,
)
from tests.conftest import requires_chromium
from tests.e2e.conftest import log_in
from tests.rewards.support import agent, arpu_rule, fixed_rule, offer, order, supervisor_of

pytestmark = [pytest.mark.e2e, requires_chromium]
ACCOUNT = "352011070411"
WIDTH = 768


@pytest.fixture
def floor(transactional_db):
    """An agent with an order this month, the supervisor, an account with two offers."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True  # the month's refresh runs in the server's thread
    kino = offer("99", kind=OfferKind.PACKAGE, code="kino", service_code=ServiceCode.IPTV)
    plan = offer("450", kind=OfferKind.TARIFF, code="inet-450")
    fixed_rule("40", [kino], name="Доп. пакет «Кино»")
    arpu_rule()
    team = TeamFactory(name="Команда 1")
    user = agent(team, username="agent")
    user.set_password("demo-agent-1")
    user.save()
    boss = supervisor_of(team)
    boss.set_password("demo-supervisor-1")
    boss.save()
    account = SubscriberAccountFactory(number=ACCOUNT)
    for sold in (kino, plan):
        CampaignTargetFactory(account=account, campaign__offer=sold)
    order(user, kino, created=timezone.localdate())
    yield {"user": user}
    celery_app.conf.task_always_eager = previous


def _fits(page):
    """Nothing wider than the 768 px window (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def _tab_to(page, selector, limit=80):
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


def test_agent_reads_the_reward_on_each_offer_card(floor, browser_context):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, "agent", "demo-agent-1", next_url="/accounts/")
    page.focus("#account-q")
    page.keyboard.type(ACCOUNT)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{ACCOUNT}/")
    kino = page.locator("article.rec", has_text="Кино")
    expect(kino.locator(".reward")).to_contain_text("Ваше вознаграждение за эту продажу: 40,00 ₽")
    share = page.locator(".reward[data-basis=arpu_share]")  # the new broadband plan
    expect(share).to_contain_text("337,50 ₽")
    expect(share).to_contain_text("75% абонентской платы 450.00 ₽")
    assert _fits(page)


def test_a_disputed_line_is_accepted_and_the_agent_reads_the_outcome(
    floor, browser_context, live_server
):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(page, "agent", "demo-agent-1", next_url="/me/")
    _tab_to(page, "a.rw-dispute-line")
    page.keyboard.press("Enter")
    page.wait_for_url("**/disputes/new/**")
    _tab_to(page, "#rw-comment")
    page.keyboard.type("Пакет «Кино» подключён, а строка ждёт.")
    _tab_to(page, "#rw-dispute-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/**")
    expect(page.locator(".msg.success")).to_contain_text("Спор передан супервайзеру")
    expect(page.locator("#rw-my-disputes")).to_contain_text("Открыт")
    assert _fits(page)

    boss_context = browser_context.browser.new_context(base_url=live_server.url, locale="ru-RU")
    boss = boss_context.new_page()
    boss.set_viewport_size({"width": WIDTH, "height": 900})
    log_in(boss, "supervisor", "demo-supervisor-1", next_url="/leaderboard/")
    expect(boss.locator("#rw-open-disputes")).to_contain_text("1 открытый спор по выпискам")
    _tab_to(boss, "#rw-open-disputes")
    boss.keyboard.press("Enter")
    boss.wait_for_url("**/disputes/")
    dispute = StatementDispute.objects.get()
    _tab_to(boss, f"#amount-{dispute.pk}")
    boss.keyboard.type("40")
    boss.keyboard.press("Tab")
    boss.keyboard.type("Правило «Кино» платит 40 ₽, строка исправлена.")
    boss.keyboard.press("Enter")
    boss.wait_for_load_state()
    expect(boss.locator(".msg.success")).to_contain_text("Принят: 40.00 ₽")
    assert _fits(boss)
    boss_context.close()

    page.reload()
    mine = page.locator("#rw-my-disputes")
    expect(mine).to_contain_text("Принят")
    expect(mine).to_contain_text("Правило «Кино» платит 40 ₽")
    expect(page.locator(".rw-disputes")).to_have_text("40,00")


def test_manager_reads_a_draft_campaigns_reach_before_launching(transactional_db, browser_context):
    """Issue 12 §3: the draft's page shows its reach, the reasons as bars, the expected orders."""
    from decimal import Decimal

    from playwright.sync_api import expect

    from campaigns.models import CampaignStatus
    from tests.campaigns.factories import CampaignFactory
    from tests.config.factories import ManagerFactory

    manager = ManagerFactory(username="manager")
    manager.set_password("demo-manager-1")
    manager.save()
    draft = CampaignFactory(status=CampaignStatus.DRAFT, offer__monthly_price=Decimal("139"))
    for balance in ("500", "500", "-5", "0"):
        CampaignTargetFactory(campaign=draft, account=SubscriberAccountFactory(balance=balance))
    page = browser_context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 900})
    url = f"/admin/campaigns/campaign/{draft.pk}/change/"
    log_in(page, "manager", "demo-manager-1", next_url=url)
    reach = page.locator("#campaign-reach")
    expect(reach).to_contain_text("Охват при запуске сейчас")
    expect(page.locator("#reach-targets")).to_have_text("4")
    expect(page.locator("#reach-eligible")).to_have_text("2")
    expect(reach.locator("[data-reason=negative_balance] .reach-bar-count")).to_have_text("1")
    expect(reach.locator("[data-reason=insufficient_funds] .reach-bar-count")).to_have_text("1")
    expect(page.locator("#reach-expected")).to_have_text("0")  # 2 × 5–20 %, rounded
    _tab_to(page, "#campaign-import")  # the panel is reachable by keyboard past the form
