"""Personal data masked in every list, response, page, admin page and export; reveal audited."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from campaigns.models import PersonalDataReveal, RevealChannel
from tests.campaigns.factories import ConnectionOrderFactory, OrderStatusChangeFactory
from tests.campaigns.orders_support import leaked
from tests.config.factories import ManagerFactory, SupervisorFactory

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def order(agent, catalogue):
    order = ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
    order.equipment.set([catalogue["router"]])
    OrderStatusChangeFactory(order=order)
    return order


@pytest.fixture
def supervisor_of(agent):
    supervisor = SupervisorFactory(username="supervisor")
    agent.agent_profile.team.supervisors.add(supervisor)
    return supervisor


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_api_list_and_detail_are_masked(order, agent):
    client = APIClient()
    client.force_authenticate(agent)
    for url in ("/api/v1/orders/", f"/api/v1/orders/{order.pk}/"):
        text = client.get(url).content.decode()
        assert leaked(text) == [], url
        assert "••••56" in text


@pytest.mark.parametrize("path", ["/orders/", "/orders/{pk}/", "/orders/export.csv"])
def test_pages_and_export_are_masked(order, agent, supervisor_of, path):
    for user in (agent, supervisor_of):
        response = logged_in(user).get(path.format(pk=order.pk))
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert leaked(text) == [], (user, path)
        assert "+7 ••• •••-••-68" in text


def test_admin_changelist_and_change_page_are_masked(order, catalogue):
    manager = ManagerFactory(username="manager")
    client = logged_in(manager)
    for url in (
        "/admin/campaigns/connectionorder/",
        f"/admin/campaigns/connectionorder/{order.pk}/change/",
        "/admin/campaigns/orderoutboxmessage/",
        "/admin/campaigns/personaldatareveal/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaked(response.content.decode()) == [], url


def test_admin_changelist_has_a_constant_number_of_queries(
    order, agent, catalogue, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(ManagerFactory(username="manager"))
    client.get("/admin/campaigns/connectionorder/")
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/campaigns/connectionorder/")
    for _ in range(5):
        ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
    with django_assert_num_queries(len(few)):
        client.get("/admin/campaigns/connectionorder/")


def test_the_admin_flags_a_stuck_hand_off(order, settings):
    import datetime

    from django.utils import timezone

    from campaigns.models import OrderOutboxMessage

    long_ago = timezone.now() - datetime.timedelta(hours=2)
    OrderOutboxMessage.objects.create(
        order=order,
        kind="create",
        idempotency_key="k-stuck",
        next_attempt_at=long_ago,
        created_at=long_ago,
        attempts=7,
        last_error="HTTP 503",
    )
    client = logged_in(ManagerFactory(username="manager"))
    response = client.get("/admin/campaigns/connectionorder/?handoff=stuck")
    assert response.status_code == 200
    assert f"/admin/campaigns/connectionorder/{order.pk}/change/" in response.content.decode()
    other = client.get("/admin/campaigns/orderoutboxmessage/?handoff=stuck")
    assert "HTTP 503" in other.content.decode()


def test_reveal_returns_the_values_and_audits_who_when_which_and_why(order, agent):
    client = APIClient()
    client.force_authenticate(agent)
    response = client.post(
        f"/api/v1/orders/{order.pk}/reveal/",
        {"reason": "Клиент уточняет адрес", "fields": ["passport", "connection_address"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["fields"]["passport"]["number"] == "123456"
    assert body["fields"]["passport"]["issued_on"] == "2015-06-01"
    assert "Льва Толстого" in body["fields"]["connection_address"]
    assert "contact_phone" not in body["fields"]
    audit = PersonalDataReveal.objects.get()
    assert (audit.user, audit.order, audit.fields) == (
        agent,
        order,
        ["passport", "connection_address"],
    )
    assert audit.reason == "Клиент уточняет адрес"
    assert audit.channel == RevealChannel.API
    assert audit.revealed_at is not None and audit.ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "ok"}, "reason"),
        ({"reason": "Проверка", "fields": ["inn"]}, "fields"),
    ],
)
def test_reveal_needs_a_reason_and_known_fields(order, agent, body, field):
    client = APIClient()
    client.force_authenticate(agent)
    response = client.post(f"/api/v1/orders/{order.pk}/reveal/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert PersonalDataReveal.objects.count() == 0


def test_the_page_button_shows_the_values_once_and_audits(order, supervisor_of):
    client = logged_in(supervisor_of)
    masked = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="reveal-button"' in masked and leaked(masked) == []
    response = client.post(f"/orders/{order.pk}/reveal/", {"reason": "Контроль качества"})
    text = response.content.decode()
    assert "4512 123456" in text and "Тимура Фрунзе" in text
    assert response["Cache-Control"] == "no-store"
    audit = PersonalDataReveal.objects.get()
    assert audit.user == supervisor_of and audit.channel == RevealChannel.PAGE
    again = client.get(f"/orders/{order.pk}/").content.decode()
    assert leaked(again) == []


def test_an_erased_passport_reveals_nothing(order, agent):
    order.passport_ciphertext = ""
    order.save()
    client = APIClient()
    client.force_authenticate(agent)
    body = client.post(f"/api/v1/orders/{order.pk}/reveal/", {"reason": "Проверка"}).json()
    assert body["fields"]["passport"] is None
    assert client.get(f"/api/v1/orders/{order.pk}/").json()["passport"]["erased"] is True
