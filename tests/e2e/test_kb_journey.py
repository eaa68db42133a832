"""The demo agent searches «вирус» as they type, opens the bridge and copies the phrase (Chromium)."""

import os
import re

import pytest

from knowledge_base.seed import seed_knowledge_base
from offers.models import ServiceCode
from tests.campaigns.factories import AgentProfileFactory
from tests.config.factories import ManagerFactory
from tests.conftest import requires_chromium
from tests.e2e.conftest import wait_for_page
from tests.offers.factories import OfferFactory, ServiceFactory

# Playwright's sync API runs an event loop in this thread; the ORM calls here are test set-up.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.e2e, requires_chromium]


@pytest.fixture
def demo_agent(transactional_db):
    manager = ManagerFactory(username="manager")
    # The deck's «дорого» answer speaks of IPTV: it is written for that service's cards.
    ServiceFactory(code=ServiceCode.IPTV)
    OfferFactory(
        code="kaspersky-2", name="Kaspersky Internet Security для 2-х устройств", monthly_price=139
    )
    seed_knowledge_base(owner=manager)
    user = AgentProfileFactory(user__username="agent").user
    user.set_password("demo-agent-1")
    user.save()
    return user


def test_agent_finds_the_virus_bridge_and_copies_the_phrase(live_server, demo_agent):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="ru-RU")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        page = context.new_page()
        try:
            page.goto("/login/?next=/kb/")
            page.fill("#id_username", "agent")
            page.fill("#id_password", "demo-agent-1")
            page.click("button[type=submit].primary")
            wait_for_page(page, "/kb/")

            # Typing, not submitting: the results come from the as-you-type fetch.
            page.locator("#kb-q").press_sequentially("вирус", delay=40)
            # `.kb-results` is the fragment the fetch brings; the start page has no such block.
            bridge_link = page.locator("#kb-results .kb-results a[href='/kb/bridges/virus/']")
            expect(bridge_link).to_be_visible(timeout=5000)
            expect(page).to_have_url(re.compile(r"/kb/\?q=%D0%B2%D0%B8%D1%80%D1%83%D1%81$"))
            expect(page.locator("#kb-results")).to_contain_text(
                "Скрипты для работы с доп. продажами"
            )

            bridge_link.click()
            page.wait_for_url("**/kb/bridges/virus/")
            expect(page.locator("h1")).to_have_text("Абонент в интернете «подхватил» вирус")

            button = page.locator("button.kb-copy").first
            button.click()
            expect(button).to_have_attribute("data-copied", "true")
            copied = page.evaluate("document.body.dataset.lastCopied")
            assert copied.startswith(
                "Для обеспечения безопасности предлагаю Вам подключить антивирус"
            )
            clipboard = page.evaluate("navigator.clipboard.readText()")
            assert clipboard == copied
        finally:
            browser.close()


def test_agent_finds_answers_to_the_customers_words_by_keyboard_at_768(live_server, demo_agent):
    """One ranked list across the four kinds, marks on the matching words, keyboard only."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, locale="ru-RU", viewport={"width": 768, "height": 900}
        )
        page = context.new_page()
        try:
            page.goto("/login/?next=/kb/")
            expect(page.locator("#id_username")).to_be_focused()
            page.keyboard.type("agent")
            page.keyboard.press("Tab")
            page.keyboard.type("demo-agent-1")
            page.keyboard.press("Enter")
            wait_for_page(page, "/kb/")

            page.keyboard.type("клиент говорит дорага", delay=30)  # the box has the focus
            first = page.locator("#kb-results .kb-hits > li").first
            expect(first).to_have_attribute("data-kind", "objection", timeout=5000)
            expect(first.locator("mark").first).to_have_text("дорого")
            expect(page.locator("#kb-results .kb-summary")).to_contain_text("дорага")
            assert page.evaluate("document.documentElement.scrollWidth") <= 768

            page.keyboard.press("Tab")  # the search button
            page.keyboard.press("Tab")  # the first result
            focused = page.evaluate("document.activeElement.getAttribute('href')")
            assert focused == "/kb/objections/#objection-expensive"
            page.keyboard.press("Enter")
            page.wait_for_url("**/kb/objections/#objection-expensive")
            expect(page.locator("#objection-expensive")).to_contain_text("Для «Интерактивное ТВ»")
            expect(page.locator("#objection-expensive")).to_contain_text("170 телеканалов")
        finally:
            browser.close()
