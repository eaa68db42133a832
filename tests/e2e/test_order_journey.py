"""From «Клиент согласен» on account 352011070411 to a registered order handed to fulfilment, and
the supervisor seeing it masked (issue 4), in Chromium against the demo data."""

import pytest
from django.core.management import call_command

from campaigns.models import ConnectionOrder, OrderStatus, PersonalDataReveal
from tests.campaigns.orders_support import FulfilmentStandIn, leaked
from tests.conftest import requires_chromium
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.e2e, requires_chromium]

ACCOUNT = "352011070411"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def fulfilment(settings):
    """The stand-in fulfilment system, with tasks run in-process as after `make run`."""
    from config.celery_app import app

    server = FulfilmentStandIn()
    settings.FULFILMENT_URL = server.url
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield server
    app.conf.task_always_eager = eager
    server.stop()


def test_agent_registers_an_order_from_agreed_and_the_supervisor_sees_it_masked(
    demo, fulfilment, browser_context
):
    from playwright.sync_api import expect

    page = browser_context.new_page()
    log_in(page, "agent", "demo-agent-1", next_url=f"/accounts/{ACCOUNT}/")
    if page.locator("#appeal-start").count():
        page.click("#appeal-start")
    page.check("input[name=question_resolved]")
    page.click("#appeal-save")
    antivirus = page.locator("article.rec", has_text="Антивирус_vo12_CRM_MR03")
    antivirus.locator("input[name=result][value=agreed]").check()
    antivirus.locator("button[type=submit].primary").click()

    page.wait_for_url("**/orders/new/?account=352011070411&campaign=*")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#order-product")).to_contain_text("Kaspersky")
    expect(page.locator("#id_full_name")).to_have_value("Журавлев Евгений Михайлович")
    # The antivirus is activated remotely (R14): no addresses, passport, technology or visit.
    for block in ("contract", "technology", "tariff", "visit", "delivery"):
        expect(page.locator(f"#block-{block}")).to_be_hidden()
    page.uncheck("#id_use_account_phone")
    page.fill("#id_contact_phone", "+7 916 123-45")  # too short: the form says so
    page.click("#order-submit")
    expect(page.locator("#error-contact_phone")).to_be_visible()
    assert not ConnectionOrder.objects.filter(account__number=ACCOUNT).exists()

    page.uncheck("#id_use_account_phone")
    page.fill("#id_contact_phone", "+7 916 123-45-68")
    page.click("#order-submit")
    page.wait_for_url("**/orders/*/")
    order = ConnectionOrder.objects.get(account__number=ACCOUNT)
    assert order.status == OrderStatus.SENT  # handed over right after the commit
    assert fulfilment.orders_received() == [str(order.reference)]
    expect(page.locator("h1")).to_contain_text(str(order))
    expect(page.locator("#pd-phone")).to_have_text("+7 ••• •••-••-68")
    assert leaked(page.content()) == []
    rows = page.locator("#status-history tbody tr")
    expect(rows).to_have_count(2)

    page.fill("#reveal-reason", "Клиент уточняет паспортные данные")
    page.click("#reveal-button")
    expect(page.locator("#pd-phone")).to_have_text("+79161234568")
    assert PersonalDataReveal.objects.filter(order=order, user__username="agent").count() == 1

    browser_context.clear_cookies()
    log_in(page, "supervisor", "demo-supervisor-1", next_url="/orders/")
    row = page.locator(f"#order-{order.pk}")
    expect(row).to_contain_text("+7 ••• •••-••-68")
    assert leaked(page.content()) == []
