"""The knowledge base beside the account, by keyboard at 768 px (issue 14 §1, issue 13 §2): on a
call the agent opens the panel with Alt+K, types «дорого», opens the objection's answer in place,
goes back to the call, opens the antivirus card's bridge from the card (which marks the need
heard for that product), and saves a result — no reload, the call's unsaved choice kept, the
need-heard mark recorded with the result."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import AppealNeed, ContactHistoryEntry
from tests.conftest import requires_chromium
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, requires_chromium]

ACCOUNT = "352011070411"
PAGE = f"/accounts/{ACCOUNT}/"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def _tab_to(page, selector, limit=150):
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _fits(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
        " && [...document.querySelectorAll('#kb-panel, #kb-panel *')]"
        ".every(e => e.scrollWidth <= e.clientWidth + 1 || getComputedStyle(e).overflowX !== 'visible')"
    )


def test_the_panel_answers_the_customer_and_a_bridge_marks_the_need(demo, browser_context):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    page.set_viewport_size({"width": 768, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    since = timezone.now()
    log_in(page, "agent", "demo-agent-1", PAGE)
    page.evaluate("window.__sameDocument = true")

    _tab_to(page, "#appeal-start")
    page.keyboard.press("Enter")
    expect(page.locator("#flag-question_resolved")).to_be_visible()
    _tab_to(page, "#flag-question_resolved")
    page.keyboard.press("Space")
    _tab_to(page, "#appeal-save")
    page.keyboard.press("Enter")
    antivirus = page.locator("article.rec", has_text="Антивирус_vo12_CRM_MR03")
    expect(antivirus.locator(".badge.ok")).to_be_visible()
    lead = antivirus.get_attribute("id").removeprefix("rec-")

    # An unsaved choice on the card, which the panel must leave as it is.
    _tab_to(page, f"#result-{lead}-not_offered")
    page.keyboard.press("3")
    expect(page.locator(f"#result-{lead}-thinking")).to_be_checked()

    # The card's own answer to «дорого» speaks of the antivirus, with its price a day.
    card_answer = antivirus.locator('[data-objection="expensive"] .vzor').text_content()
    assert "вирус" in card_answer and "телеканал" not in card_answer
    assert "рубля в день, а первые 30 дней — бесплатно" in card_answer and "{" not in card_answer

    # Alt+K: the panel, the cursor in its search field; the customer's word; the objection.
    expect(page.locator(".kb-panel-open")).to_contain_text("Alt")
    page.keyboard.press("Alt+k")
    panel = page.locator("#kb-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#kb-panel-q")).to_be_focused()
    page.keyboard.type("дорого")
    page.wait_for_timeout(400)  # the search waits for a pause in the typing
    expect(panel.locator(".kb-panel-results[aria-busy]")).to_have_count(0)
    objection = panel.locator(".kb-hit-objection a.kb-hit-title").first
    expect(objection).to_contain_text("дорого")
    page.keyboard.press("ArrowDown")
    for _ in range(10):
        if page.evaluate("document.activeElement.closest('.kb-hit-objection') !== null"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    reader = panel.locator(".kb-reader-body")
    expect(reader.locator(".kb-objection")).to_be_visible()
    expect(reader).to_contain_text("Ответить по существу")
    expect(reader).to_contain_text("всего за несколько рублей в день")
    assert "{" not in reader.inner_text()
    assert _fits(page)
    assert page.evaluate("window.__sameDocument === true")

    page.keyboard.press("Escape")  # back to the results
    expect(panel.locator(".kb-panel-results")).to_be_visible()
    page.keyboard.press("Escape")  # the panel closes, the focus goes back to the card
    expect(panel).to_be_hidden()
    expect(page.locator(f"#result-{lead}-thinking")).to_be_checked()

    # The card's «Мосты и ответы»: its one bridge opens at once and marks the need heard.
    _tab_to(page, f"#rec-{lead} .kb-card-open")
    page.keyboard.press("Enter")
    expect(panel.locator(".kb-panel-context")).to_contain_text("Kaspersky")
    expect(reader.locator(".kb-bridge")).to_be_visible()
    expect(reader.locator(".kb-marked")).to_be_visible()
    expect(antivirus.locator(".need-heard")).to_be_visible()
    assert _fits(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator(f"#rec-{lead} .kb-card-open")).to_be_focused()

    # The result, by keys, on the card: saved without a reload.
    expect(page.locator(f"#result-{lead}-thinking")).to_be_checked()
    page.keyboard.press("Control+Enter")
    expect(page.locator("#ws-toasts")).to_contain_text("Результат сохранён")
    expect(page.locator("section.history tbody tr").first).to_contain_text("Клиент думает")
    expect(antivirus.locator(".need-heard")).to_be_visible()
    assert page.evaluate("window.__sameDocument === true")
    page.goto("/callbacks/")  # a page of its own: the server is done with the saves

    entries = ContactHistoryEntry.objects.filter(
        target__account__number=ACCOUNT, agent__username="agent", created_at__gte=since
    )
    assert sorted(entries.values_list("result", "need_heard")) == [("thinking", True)] * 2
    assert list(AppealNeed.objects.values_list("offer__code", "bridge__code")) == [
        ("kaspersky-2", "virus")
    ]
    assert errors == []
