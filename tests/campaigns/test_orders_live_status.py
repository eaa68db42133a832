"""Live order status: the light JSON the pages poll (/orders/status/?id=…), with its ETag, its
access rules and its constant queries; the account page's orders and the list narrowed to one
account."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campaigns.orders.services.transitions import order_transition
from campaigns.orders.views import MAX_WATCHED
from tests.campaigns.factories import AgentProfileFactory, ConnectionOrderFactory, TeamFactory
from tests.config.factories import ManagerFactory, SupervisorFactory

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db

STATUS = "/orders/status/"


def page_as(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(agent, department):
    team2 = TeamFactory(name="Команда 2", department=department)
    supervisor = SupervisorFactory(username="supervisor")
    agent.agent_profile.team.supervisors.set([supervisor])
    return {
        "agent": agent,
        "agent2": AgentProfileFactory(user__username="agent2", team=team2).user,
        "supervisor": supervisor,
        "supervisor2": SupervisorFactory(username="supervisor2"),
        "manager": ManagerFactory(username="manager"),
    }


@pytest.fixture
def order(people, account, catalogue):
    return ConnectionOrderFactory(agent=people["agent"], account=account, tariff=catalogue["fast"])


# who: (HTTP status, sees the order)
ACCESS = {
    "agent": (200, True),
    "agent2": (200, False),
    "supervisor": (200, True),
    "supervisor2": (200, False),
    "manager": (403, None),
}


@pytest.mark.parametrize("who", list(ACCESS))
def test_each_role_polls_only_the_orders_it_may_see(people, order, who):
    status, sees = ACCESS[who]
    response = page_as(people[who]).get(STATUS, {"id": order.pk})
    assert response.status_code == status
    if sees is not None:
        assert [o["id"] for o in response.json()["orders"]] == ([order.pk] if sees else [])


def test_anonymous_is_sent_to_the_login_page(order, client):
    response = client.get(STATUS, {"id": order.pk})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_answer_names_the_status_in_words_and_says_what_to_announce(people, order):
    entry = page_as(people["agent"]).get(STATUS, {"id": order.pk}).json()["orders"][0]
    assert entry == {
        "id": order.pk,
        "status": "registered",
        "label": "Зарегистрирована",
        "badge": "",
        "announcement": f"Заявка ДК-{order.pk}: Зарегистрирована",
    }


def test_an_unchanged_status_is_a_bodiless_304_and_a_change_a_new_answer(people, order):
    client = page_as(people["agent"])
    first = client.get(STATUS, {"id": order.pk})
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    again = client.get(STATUS, {"id": order.pk}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""

    order_transition(order=order, status="sent", source="fulfilment")
    changed = client.get(STATUS, {"id": order.pk}, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    entry = changed.json()["orders"][0]
    assert (entry["status"], entry["badge"]) == ("sent", "warn")


@pytest.mark.parametrize(
    "query",
    [{"id": "x"}, {"id": "-1"}, {"id": ["1", "2; drop"]}, {"id": [str(i) for i in range(101)]}],
)
def test_ids_that_are_not_order_numbers_are_a_400_with_a_code(people, query):
    response = page_as(people["agent"]).get(STATUS, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_ids"
    assert str(MAX_WATCHED) in response.json()["detail"]


def test_a_poll_takes_the_same_queries_for_one_order_or_many(
    people, account, catalogue, django_assert_num_queries
):
    agent = people["agent"]
    orders = [ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"]) for _ in range(12)]
    client = page_as(agent)
    client.get(STATUS, {"id": orders[0].pk})
    with CaptureQueriesContext(connection) as one:
        client.get(STATUS, {"id": orders[0].pk})
    with django_assert_num_queries(len(one)):
        response = client.get(STATUS, {"id": [o.pk for o in orders]})
    assert len(response.json()["orders"]) == 12


def test_the_account_page_lists_the_orders_its_user_may_see_with_a_live_status(
    people, order, account, catalogue
):
    other = ConnectionOrderFactory(
        agent=people["agent2"], account=account, tariff=catalogue["fast"]
    )
    html = page_as(people["agent"]).get(f"/accounts/{account.number}/").content.decode()
    assert f'id="account-order-{order.pk}"' in html
    assert f'data-order-status data-order-id="{order.pk}" data-status="registered"' in html
    assert f'id="account-order-{other.pk}"' not in html  # another agent's: not an agent's to see
    assert "+7 916" not in html and order.connection_address not in html  # no personal data
    assert f'href="/orders/?account={account.number}"' in html
    assert 'id="order-live"' in html and "orders/live_status" in html

    supervisor_html = page_as(people["supervisor"]).get(f"/accounts/{account.number}/")
    assert f'id="account-order-{order.pk}"' in supervisor_html.content.decode()


def test_the_account_page_reads_its_orders_in_constant_queries(people, account, catalogue):
    agent = people["agent"]
    client = page_as(agent)

    def count():
        client.get(f"/accounts/{account.number}/")
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/accounts/{account.number}/")
        return len(ctx)

    ConnectionOrderFactory(agent=agent, account=account, tariff=catalogue["fast"])
    before = count()
    for _ in range(4):
        ConnectionOrderFactory(agent=agent, account=account, tariff=catalogue["fast"])
    assert count() == before


def test_the_list_narrowed_to_an_account_says_so_and_keeps_it_while_filtering_and_paging(
    people, order, account, catalogue
):
    elsewhere = ConnectionOrderFactory(agent=people["agent"], tariff=catalogue["fast"])
    response = page_as(people["agent"]).get("/orders/", {"account": "352-011-070-411"})
    html = response.content.decode()
    assert [row["order"].pk for row in response.context["orders"]] == [order.pk]
    assert f'id="order-{elsewhere.pk}"' not in html
    assert 'id="account-filter"' in html
    assert f'<input type="hidden" name="account" value="{account.number}">' in html
    assert response.context["filter_query"] == "account=352-011-070-411"
