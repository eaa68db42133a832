"""Every agent and supervisor page at 1366, 1024 and 768 px: the page never scrolls sideways (wide
tables scroll in their own box), the header stays a compact bar, no console error (issue 14 §1
«Every width»). And an order's status followed live on the account and order pages, by keyboard
(«Live status»)."""

import pytest
from django.core.management import call_command

from campaigns.models import ConnectionOrder, SubscriberAccount
from campaigns.orders.services.transitions import order_transition
from knowledge_base.models import Article
from tests.conftest import requires_chromium
from tests.e2e.admin_walk import watch
from tests.e2e.conftest import log_in, wait_for_page

pytestmark = [pytest.mark.e2e, requires_chromium]

WIDTHS = (1366, 1024, 768)
# The header: one line on a wide screen, two (the menu under the brand) below 1200 px.
HEADER_MAX = {1366: 60, 1024: 90, 768: 90}
MEASURE = """() => {
  const header = document.querySelector('header.topbar').getBoundingClientRect();
  const main = document.querySelector('main');
  const out = [...main.querySelectorAll('*')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width && r.right > innerWidth + 1 && !e.closest('.table-scroll');
  }).slice(0, 3).map((e) => e.tagName + '.' + e.className);
  return {width: document.documentElement.scrollWidth, inner: innerWidth,
          header: Math.round(header.height), outside: out};
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def agent_pages():
    order = ConnectionOrder.objects.filter(agent__username="agent").first()
    account = order.account.number
    article = Article.objects.filter(status="published").first()
    return [
        "/",
        "/accounts/",
        "/accounts/?q=3520",
        "/accounts/352011070411/",
        f"/accounts/{account}/",
        "/orders/new/?account=352011070411",
        f"/orders/new/?account={_connection_account()}",
        "/orders/",
        f"/orders/?account={account}",
        f"/orders/{order.pk}/",
        "/callbacks/",
        "/me/",
        "/kb/",
        f"/kb/a/{article.pk}/",
        "/kb/objections/",
        "/disputes/",
        "/disputes/new/",
    ]


def supervisor_pages():
    order = ConnectionOrder.objects.filter(agent__username="agent").first()
    return [
        "/",
        "/accounts/352011070411/",
        "/orders/",
        f"/orders/{order.pk}/",
        "/leaderboard/",
        "/kb/",
        "/disputes/",
    ]


def _connection_account():
    """An account a connection (tariff) is offered to: the order form's widest blocks."""
    return (
        SubscriberAccount.objects.filter(
            campaign_targets__campaign__offer__kind="tariff",
            campaign_targets__campaign__status="active",
        )
        .values_list("number", flat=True)
        .first()
    )


def test_no_page_of_an_agent_or_a_supervisor_is_wider_than_the_screen(demo, browser_context):
    problems = []
    for username, password, pages in (
        ("agent", "demo-agent-1", agent_pages()),
        ("supervisor", "demo-supervisor-1", supervisor_pages()),
    ):
        page = browser_context.new_page()
        errors = watch(page)
        log_in(page, username, password)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in pages:
                page.goto(path)
                page.wait_for_load_state()
                seen = page.evaluate(MEASURE)
                if seen["width"] > seen["inner"] or seen["header"] > HEADER_MAX[width]:
                    problems.append((username, width, path, seen))
        assert errors == [], (username, errors)
        page.context.clear_cookies()
        page.close()
    assert problems == []


def test_the_agent_follows_an_order_live_from_the_account_by_keyboard(demo, browser_context):
    from playwright.sync_api import expect

    order = ConnectionOrder.objects.filter(agent__username="agent", status="sent").first()
    account = order.account.number
    page = browser_context.new_page()
    page.set_viewport_size({"width": 768, "height": 900})
    errors = watch(page)
    log_in(page, "agent", "demo-agent-1", next_url=f"/accounts/{account}/")
    badge = page.locator(f"#account-order-{order.pk} [data-order-status]")
    expect(badge).to_have_text("Передана на исполнение")

    order_transition(order=order, status="connected", source="fulfilment")
    expect(badge).to_have_text("Подключена", timeout=15_000)
    expect(page.locator("#order-live")).to_have_text(f"Заявка ДК-{order.pk}: Подключена")

    # The account's orders, by keyboard: Tab to the link, Enter.
    link = page.locator("#account-orders-all")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    page.keyboard.press("Enter")
    wait_for_page(page, f"/orders/?account={account}")
    expect(page.locator(f"#order-{order.pk} [data-order-status]")).to_have_text("Подключена")

    page.goto(f"/orders/{order.pk}/")
    order_transition(order=order, status="cancelled", source="fulfilment", reason="Отказ")
    expect(page.locator("#order-status")).to_have_text("Отменена", timeout=15_000)
    expect(page.locator("#status-history")).to_contain_text("Отказ")
    assert errors == []
