"""Who sees which order, on every order endpoint and page: own, team's, masked, or 404."""

import pytest
from django.test import Client

from campaigns.models import ConnectionOrder, PersonalDataReveal
from config.floor import roles
from tests.campaigns.factories import AgentProfileFactory, ConnectionOrderFactory, TeamFactory
from tests.campaigns.orders_support import form_data
from tests.config.factories import CrmUserFactory, ManagerFactory, SupervisorFactory, UserFactory

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(agent, department):
    """«agent» in team 1 led by «supervisor»; «agent2» in team 2 led by «supervisor2»."""
    team1 = agent.agent_profile.team
    team2 = TeamFactory(name="Команда 2", department=department)
    agent2 = AgentProfileFactory(user__username="agent2", team=team2).user
    supervisor = SupervisorFactory(username="supervisor")
    supervisor2 = SupervisorFactory(username="supervisor2")
    team1.supervisors.set([supervisor])
    team2.supervisors.set([supervisor2])
    return {
        "agent": agent,
        "agent2": agent2,
        "supervisor": supervisor,
        "supervisor2": supervisor2,
        "manager": ManagerFactory(username="manager"),
        "crm": CrmUserFactory(username="crm"),
        "fulfilment": UserFactory(username="fulfilment", role=roles.FULFILMENT),
    }


@pytest.fixture
def order(people, catalogue):
    return ConnectionOrderFactory(agent=people["agent"], tariff=catalogue["fast"])


def api_as(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def page_as(user):
    client = Client()
    client.force_login(user)
    return client


# who: (list sees the order, detail status, reveal status)
API_MATRIX = {
    "agent": (True, 200, 200),
    "agent2": (False, 404, 404),
    "supervisor": (True, 200, 200),
    "supervisor2": (False, 404, 404),
    "manager": (True, 200, 403),
    "crm": (None, 403, 403),
    "fulfilment": (None, 403, 403),
}


@pytest.mark.parametrize("who", list(API_MATRIX))
def test_api_access_matrix(people, order, who):
    in_list, detail, reveal = API_MATRIX[who]
    client = api_as(people[who])
    listing = client.get("/api/v1/orders/")
    if in_list is None:
        assert listing.status_code == 403
    else:
        assert listing.status_code == 200
        assert (order.pk in [o["id"] for o in listing.json()["results"]]) is in_list
    assert client.get(f"/api/v1/orders/{order.pk}/").status_code == detail
    response = client.post(f"/api/v1/orders/{order.pk}/reveal/", {"reason": "Проверка данных"})
    assert response.status_code == reveal
    assert PersonalDataReveal.objects.count() == (1 if reveal == 200 else 0)


@pytest.mark.parametrize("who", ["agent2", "supervisor", "manager", "crm", "fulfilment"])
def test_only_the_owning_agent_may_cancel(people, order, who):
    response = api_as(people[who]).post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "Тест"})
    assert response.status_code in (403, 404)
    order.refresh_from_db()
    assert order.status == "registered"


@pytest.mark.parametrize("who", ["supervisor", "manager", "crm", "fulfilment"])
def test_only_agents_register_orders(people, account, catalogue, slot, who):
    response = api_as(people[who]).post("/api/v1/orders/", form_data(account, slot), format="json")
    assert response.status_code == 403
    assert ConnectionOrder.objects.count() == 0


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "crm"])
def test_only_the_fulfilment_system_reports_status(people, order, who):
    response = api_as(people[who]).post(
        f"/api/v1/orders/{order.pk}/status/", {"status": "connected"}
    )
    assert response.status_code in (403, 404)


def test_anonymous_gets_401_on_the_api_and_the_login_page_on_pages(order, client):
    assert api_as(None).get("/api/v1/orders/").status_code == 401
    response = client.get("/orders/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# who: (list page, sees the order in it, detail page, reveal page, new-order page)
PAGE_MATRIX = {
    "agent": (200, True, 200, 200, 200),
    "agent2": (200, False, 404, 404, 200),
    "supervisor": (200, True, 200, 200, 403),
    "supervisor2": (200, False, 404, 404, 403),
    "manager": (403, None, 403, 403, 403),
    "crm": (403, None, 403, 403, 403),
}


@pytest.mark.parametrize("who", list(PAGE_MATRIX))
def test_page_access_matrix(people, order, account, catalogue, who):
    listing, in_list, detail, reveal, new = PAGE_MATRIX[who]
    client = page_as(people[who])
    response = client.get("/orders/")
    assert response.status_code == listing
    if in_list is not None:
        assert (f'id="order-{order.pk}"' in response.content.decode()) is in_list
    assert client.get(f"/orders/{order.pk}/").status_code == detail
    revealed = client.post(f"/orders/{order.pk}/reveal/", {"reason": "Проверка адреса"})
    assert revealed.status_code == reveal
    assert client.get(f"/orders/new/?account={account.number}").status_code == new
    export = client.get("/orders/export.csv")
    assert export.status_code == listing
    if in_list is not None:
        assert (str(order) in export.content.decode("utf-8-sig")) is in_list
