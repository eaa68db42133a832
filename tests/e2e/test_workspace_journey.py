"""The demo agent works account 352011070411 in Chromium: both antivirus campaigns, «Клиент думает»
with one objection, and the result in the history of both (issue 3)."""

import pytest
from django.core.management import call_command

from campaigns.models import ContactHistoryEntry
from tests.conftest import requires_chromium
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, requires_chromium]

ACCOUNT = "352011070411"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def test_agent_records_thinking_with_an_objection_on_both_antivirus_campaigns(
    demo, browser_context
):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    log_in(page, "agent", "demo-agent-1", next_url="/accounts/")
    page.fill("#account-q", ACCOUNT)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{ACCOUNT}/")
    expect(page.locator("h1")).to_contain_text("Журавлев Евгений Михайлович")

    antivirus = page.locator("article.rec", has_text="Антивирус_vo12_CRM_MR03")
    expect(antivirus).to_contain_text("TEST_CRM_MR03_W4")

    # R1: the offer waits until the customer's question is resolved.
    if page.locator("#appeal-start").count():
        page.click("#appeal-start")
    page.check("input[name=question_resolved]")
    page.click("#appeal-save")
    antivirus = page.locator("article.rec", has_text="Антивирус_vo12_CRM_MR03")
    expect(antivirus.locator(".badge.ok")).to_be_visible()

    antivirus.locator("input[name=result][value=thinking]").check()
    antivirus.locator("input[name=objections]").first.check()
    antivirus.locator("button[type=submit].primary").click()
    page.wait_for_load_state()

    # The result's own message, not the appeal's (still shown) nor an older seeded history row:
    # only once it shows has the save committed, so the ORM checks below never race the save.
    expect(page.locator(".msg.success", has_text="Результат сохранён")).to_be_visible()
    expect(page.locator(".msg.success", has_text="Результат сохранён")).to_contain_text(": 2")
    history = page.locator("section.history tbody")
    # The newest entry of each campaign (the history is newest first) is the one just saved.
    expect(history.locator("tr", has_text="Антивирус_vo12_CRM_MR03").first).to_contain_text(
        "Клиент думает"
    )
    expect(history.locator("tr", has_text="TEST_CRM_MR03_W4").first).to_contain_text(
        "Клиент думает"
    )
    page.goto("/callbacks/")  # a page of its own: the server is done with the account page

    entries = ContactHistoryEntry.objects.filter(
        target__account__number=ACCOUNT, agent__username="agent"
    )
    codes = sorted(entries.values_list("target__campaign__code", flat=True))
    assert "Антивирус_vo12_CRM_MR03" in codes and "TEST_CRM_MR03_W4" in codes
    assert all(e.objections.count() == 1 for e in entries.order_by("-created_at")[:2])
