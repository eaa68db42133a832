"""The order pages: the form prefilled from the account, registering once, the lists."""

import pytest
from django.test import Client

from campaigns.models import Appeal, AppealTheme, ConnectionOrder
from campaigns.orders import services
from tests.campaigns.factories import AppealFactory, ConnectionOrderFactory
from tests.campaigns.orders_support import form_data
from tests.config.factories import SupervisorFactory

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(agent):
    client = Client()
    client.force_login(agent)
    return client


def test_the_form_is_prefilled_from_the_account_campaign_and_appeal(
    browser, agent, account, campaigns, targets, catalogue, slot
):
    appeal = AppealFactory(account=account, agent=agent)
    response = browser.get(
        f"/orders/new/?account={account.number}&campaign={campaigns[0].code}&appeal={appeal.pk}"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["full_name"] == "Журавлев Евгений Михайлович"
    assert form.initial["product"] == "kaspersky-2"
    assert response.context["kind"] == "activation"
    assert form.initial["technology"] in {"adsl", "fttb"}  # one that carries broadband
    assert form.initial["sales_channel"] == "26-mc-ntt"
    assert form.initial["appeal"] == appeal.pk
    text = response.content.decode()
    assert "Kaspersky" in text or "Антивирус" in text
    assert "+7 ••• •••-••-68" in text  # the account's phone, masked
    assert "9161234568" not in text


def test_an_unknown_account_is_a_404(browser, catalogue):
    assert browser.get("/orders/new/?account=999999999999").status_code == 404
    assert browser.get("/orders/new/").status_code == 404


def post_data(account, slot, campaign="", appeal="", **overrides):
    data = form_data(account, slot, **overrides)
    data.update(campaign=campaign, appeal=appeal, idempotency_key="form-1")
    return data


def test_submitting_registers_once_and_opens_the_order(
    browser, agent, account, campaigns, catalogue, slot
):
    appeal = AppealFactory(account=account, agent=agent)
    data = post_data(account, slot, campaign=campaigns[0].code, appeal=appeal.pk, product="")
    response = browser.post("/orders/new/", data)
    order = ConnectionOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    again = browser.post("/orders/new/", data)
    assert again["Location"] == f"/orders/{order.pk}/"
    assert ConnectionOrder.objects.count() == 1
    appeal.refresh_from_db()
    assert appeal.theme == AppealTheme.SALES and appeal.result == str(services.APPEAL_RESULT)
    page = browser.get(response["Location"]).content.decode()
    assert "Журавлев Евгений Михайлович" in page


def test_the_account_phone_can_be_used_without_typing_it(
    browser, account, catalogue, slot, tariff_target
):
    data = post_data(account, slot, contact_phone="")
    data["use_account_phone"] = "on"
    assert browser.post("/orders/new/", data).status_code == 302
    assert ConnectionOrder.objects.get().contact_phone == "+79161234568"


def test_field_errors_come_back_on_the_form(browser, account, catalogue, slot, tariff_target):
    response = browser.post(
        "/orders/new/", post_data(account, slot, passport_number="12", registration_address="")
    )
    assert response.status_code == 200
    assert ConnectionOrder.objects.count() == 0
    form = response.context["form"]
    assert set(form.errors) == {"passport_number", "registration_address"}
    assert 'id="error-passport_number"' in response.content.decode()
    assert Appeal.objects.count() == 0


def test_agreed_on_the_workspace_leads_to_the_form(browser, account, targets, agent):
    from campaigns.api.accounts import order_url

    url = order_url(account, targets[0].campaign.code, None)
    assert url.startswith("/orders/new/?account=352011070411&campaign=")


def test_the_list_page_has_a_constant_number_of_queries(
    browser, agent, catalogue, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
    browser.get("/orders/")
    with CaptureQueriesContext(connection) as few:
        browser.get("/orders/")
    for _ in range(8):
        ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
    with django_assert_num_queries(len(few)):
        response = browser.get("/orders/")
    assert len(response.context["orders"]) == 9


def test_the_supervisor_list_shows_the_team_with_agents(agent, catalogue):
    supervisor = SupervisorFactory(username="supervisor")
    agent.agent_profile.team.supervisors.add(supervisor)
    ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
    client = Client()
    client.force_login(supervisor)
    response = client.get("/orders/?status=registered")
    assert response.context["is_supervisor"] is True
    assert len(response.context["orders"]) == 1
    assert agent.get_full_name() in response.content.decode()


def test_the_agent_cancels_an_order_with_a_reason(browser, agent, catalogue):
    order = ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
    browser.post(f"/orders/{order.pk}/cancel/", {"reason": ""})
    order.refresh_from_db()
    assert order.status == "registered"
    browser.post(f"/orders/{order.pk}/cancel/", {"reason": "Клиент передумал"})
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancel_reason == "Клиент передумал"
