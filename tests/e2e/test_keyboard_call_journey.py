"""A call by keyboard alone at 768 px (issue 14 §1, issue 12 §1): the agent opens the account from
the home page, starts the appeal, marks the question resolved, records «Клиент думает» with an
objection and a callback time (keys 1–4, Ctrl+Enter), all without a reload, then the agreement that goes on to the order form; «Мои перезвоны» opens the account in one keystroke. Nothing is
duplicated. The keys pressed and the seconds taken are printed (-s) for the note."""

import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Callback, ContactHistoryEntry
from tests.conftest import requires_chromium
from tests.e2e.conftest import wait_for_page

pytestmark = [pytest.mark.e2e, requires_chromium]

ACCOUNT = "352011070411"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


class Keys:
    """The keyboard, counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key):
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text):
        self.count += len(text)
        self.page.keyboard.type(text)

    def tab_to(self, selector, limit=120):
        for _ in range(limit):
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
            self.press("Tab")
        raise AssertionError(f"Tab never reached {selector}")


def test_a_call_by_keyboard_alone_without_a_reload(demo, browser_context):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": 768, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    keys = Keys(page)
    started, since = time.monotonic(), timezone.now()

    page.goto("/login/?next=/")
    keys.tab_to("#id_username")
    keys.type("agent")
    keys.press("Tab")
    keys.type("demo-agent-1")
    keys.press("Enter")
    wait_for_page(page, "/")
    expect(page.locator(".day-callbacks-today")).to_be_visible()
    keys.tab_to("#home-account-q")
    keys.type(ACCOUNT)
    keys.press("Enter")
    page.wait_for_url(f"**/accounts/{ACCOUNT}/")
    page.evaluate("window.__sameDocument = true")

    keys.tab_to("#appeal-start")
    keys.press("Enter")
    expect(page.locator("#flag-question_resolved")).to_be_visible()
    keys.tab_to("#flag-question_resolved")
    keys.press("Space")
    keys.tab_to("#appeal-save")
    keys.press("Enter")
    antivirus = page.locator("article.rec", has_text="Антивирус_vo12_CRM_MR03")
    expect(antivirus.locator(".badge.ok")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true")

    lead = antivirus.get_attribute("id").removeprefix("rec-")
    keys.tab_to(f"#result-{lead}-not_offered")
    keys.press("3")
    expect(page.locator(f"#result-{lead}-thinking")).to_be_checked()
    expect(antivirus.locator(".picked-note")).to_contain_text("Клиент думает")
    expect(antivirus.locator(".callback-field")).to_be_visible()
    keys.tab_to(f"#objection-{lead}-expensive")
    keys.press("Space")
    keys.press("Control+Enter")
    expect(page.locator("#ws-toasts")).to_contain_text("Результат сохранён")
    assert page.evaluate("window.__sameDocument === true")
    expect(page.locator(f"#objection-{lead}-expensive")).to_be_focused()  # where it was
    expect(page.locator(f"#result-{lead}-thinking")).to_be_checked()
    expect(page.locator("section.history tbody tr").first).to_contain_text("Клиент думает")
    expect(page.locator(".save-bar").first).to_be_visible()

    # The customer agrees: a second save on the same page, still by keys, goes on to the order
    # form of that product (R7).
    keys.press("4")
    expect(page.locator(f"#result-{lead}-agreed")).to_be_checked()
    keys.press("Control+Enter")
    page.wait_for_url("**/orders/new/?account=*")
    seconds = time.monotonic() - started
    page.goto("/callbacks/")  # a page of its own: the server is done with the saves
    expect(page.locator(".callbacks-later .callback", has_text=ACCOUNT)).to_have_count(
        0
    )  # made by the agreement
    # The server is done with the page's requests: the database may be read.
    entries = ContactHistoryEntry.objects.filter(
        target__account__number=ACCOUNT, agent__username="agent", created_at__gte=since
    )
    # Each save once, on both campaigns of the product (R6): nothing duplicated.
    assert sorted(entries.values_list("result", flat=True)) == ["agreed"] * 2 + ["thinking"] * 2
    # The agreement made the callback: none is left open for the product.
    assert not Callback.objects.open().filter(account__number=ACCOUNT, agent__username="agent")
    assert errors == []
    print(f"\nkeyboard call: {keys.count} keys, {seconds:.1f} s")


def test_my_callbacks_open_the_account_in_one_keystroke(demo, browser_context):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": 768, "height": 900})
    page.goto("/login/?next=/callbacks/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "demo-agent-1")
    page.keyboard.press("Enter")
    wait_for_page(page, "/callbacks/")
    expect(page.locator(".callbacks-overdue .callback")).not_to_have_count(0)
    today = page.locator(".callbacks-today .callback-open").first
    expect(today).to_contain_text(ACCOUNT)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    today.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{ACCOUNT}/#rec-*")
