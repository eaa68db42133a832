"""`/api/v1/leaderboard/` and `/api/v1/me/progress/`: rows, scoping by role, bad input, queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offers.models import OfferKind
from rewards import services
from tests.campaigns.factories import TeamFactory
from tests.config.factories import ManagerFactory
from tests.rewards.support import OCT, agent, fixed_rule, offer, order, supervisor_of

pytestmark = pytest.mark.django_db

LEADERBOARD = "/api/v1/leaderboard/"
PROGRESS = "/api/v1/me/progress/"


@pytest.fixture
def board():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    team, other_team = TeamFactory(name="Команда 1"), TeamFactory(name="Б")
    # Orders, connected: a: 3,1 · b: 2,2 · c: 2,2 · d: 2,1 · e: 0 · outsider (other team): 5,0
    plan = {"a": (3, 1), "b": (2, 2), "c": (2, 2), "d": (2, 1), "e": (0, 0)}
    users = {}
    for name, (orders, connected) in plan.items():
        users[name] = agent(team, username=name)
        for i in range(orders):
            order(
                users[name],
                vip,
                created=datetime.date(2025, 10, 2 + i),
                connected=datetime.date(2025, 10, 20) if i < connected else None,
            )
    outsider = agent(other_team, username="outsider")
    for i in range(5):
        order(outsider, vip, created=datetime.date(2025, 10, 2 + i))
    services.conversions_compute(month=OCT)
    return {"team": team, "other": other_team, "users": users, "supervisor": supervisor_of(team)}


def test_leaderboard_ranks_by_orders_then_connected_and_ties_share_a_rank(api_client, board):
    api_client.force_authenticate(board["supervisor"])
    response = api_client.get(LEADERBOARD, {"month": "2025-10"})
    assert response.status_code == 200, response.data
    rows = response.data["results"]
    assert {r["agent"]: r["rank"] for r in rows} == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5}
    assert [r["rank"] for r in rows] == [1, 2, 2, 4, 5]
    # Agents sharing a rank are listed by name.
    tied = [r["agent_name"] for r in rows[1:3]]
    assert tied == sorted(tied, key=lambda name: name.split()[-1])
    first = rows[0]
    assert {k: first[k] for k in ("team", "orders", "target", "target_met", "connected")} == {
        "team": "Команда 1",
        "orders": 3,
        "target": 10,
        "target_met": False,
        "connected": 1,
    }
    assert first["reward_total"] == "75.00"


def test_a_supervisor_sees_only_the_teams_they_lead(api_client, board):
    api_client.force_authenticate(board["supervisor"])
    rows = api_client.get(LEADERBOARD, {"month": "2025-10"}).data["results"]
    assert "outsider" not in {r["agent"] for r in rows}
    response = api_client.get(LEADERBOARD, {"month": "2025-10", "team": board["other"].pk})
    assert (response.status_code, response.data["code"]) == (404, "team_not_led")


def test_a_manager_sees_every_team(api_client, board):
    api_client.force_authenticate(ManagerFactory())
    rows = api_client.get(LEADERBOARD, {"month": "2025-10"}).data["results"]
    assert rows[0]["agent"] == "outsider"
    assert len(rows) == 6


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"month": "2025-13"}, 400, "invalid_month"),
        ({"month": "oct"}, 400, "invalid_month"),
        ({"month": "2999-01"}, 400, "future_month"),
        ({"team": "x"}, 400, "invalid_team"),
        ({"team": "999999"}, 404, "unknown_team"),
    ],
)
def test_leaderboard_bad_input_is_a_4xx_with_a_code(api_client, board, params, status, code):
    api_client.force_authenticate(board["supervisor"])
    response = api_client.get(LEADERBOARD, params)
    assert (response.status_code, response.data["code"]) == (status, code)


def test_an_agent_asking_for_the_leaderboard_gets_403(api_client, board):
    api_client.force_authenticate(board["users"]["a"])
    response = api_client.get(LEADERBOARD)
    assert (response.status_code, response.data["code"]) == (403, "permission_denied")


def test_anonymous_gets_401(api_client):
    assert api_client.get(LEADERBOARD).status_code == 401
    assert api_client.get(PROGRESS).status_code == 401


def test_leaderboard_queries_do_not_grow_with_the_agents(api_client, board):
    api_client.force_authenticate(board["supervisor"])
    api_client.get(LEADERBOARD, {"month": "2025-10"})
    with CaptureQueriesContext(connection) as five:
        api_client.get(LEADERBOARD, {"month": "2025-10", "team": board["team"].pk})
    lone = TeamFactory(name="Один")
    agent(lone, username="alone")
    lone.supervisors.add(board["supervisor"])
    services.conversions_compute(month=OCT)
    with CaptureQueriesContext(connection) as one:
        response = api_client.get(LEADERBOARD, {"month": "2025-10", "team": lone.pk})
    assert len(response.data["results"]) == 1
    assert len(one) == len(five)


def test_my_progress_shows_orders_target_rewards_projection_and_lines(api_client, board):
    api_client.force_authenticate(board["users"]["b"])
    response = api_client.get(PROGRESS, {"month": "2025-10"})
    assert response.status_code == 200, response.data
    data = response.data
    assert (data["orders"], data["target"], data["connected"]) == (2, 10, 2)
    assert data["reward_total"] == "150.00"
    assert data["projection"] == 2  # a closed month: what it came to
    assert [line["state"] for line in data["lines"]] == ["earned", "earned"]
    assert sum(Decimal(line["amount"]) for line in data["lines"]) == Decimal("150.00")


def test_progress_agrees_with_the_leaderboard_to_the_kopeck(api_client, board):
    api_client.force_authenticate(board["supervisor"])
    rows = api_client.get(LEADERBOARD, {"month": "2025-10"}).data["results"]
    for row in rows:
        api_client.force_authenticate(board["users"][row["agent"]])
        mine = api_client.get(PROGRESS, {"month": "2025-10"}).data
        assert (mine["orders"], mine["reward_total"]) == (row["orders"], row["reward_total"])


def test_an_agent_asking_for_anothers_progress_gets_403(api_client, board):
    api_client.force_authenticate(board["users"]["a"])
    response = api_client.get(PROGRESS, {"agent": "b"})
    assert (response.status_code, response.data["code"]) == (403, "permission_denied")


def test_a_supervisor_reads_progress_of_their_agents_only(api_client, board):
    api_client.force_authenticate(board["supervisor"])
    assert api_client.get(PROGRESS, {"agent": "a", "month": "2025-10"}).status_code == 200
    response = api_client.get(PROGRESS, {"agent": "outsider"})
    assert (response.status_code, response.data["code"]) == (404, "unknown_agent")
    response = api_client.get(PROGRESS)
    assert (response.status_code, response.data["code"]) == (400, "agent_required")


def test_progress_refuses_a_future_month(api_client, board):
    api_client.force_authenticate(board["users"]["a"])
    response = api_client.get(PROGRESS, {"month": "2999-01"})
    assert (response.status_code, response.data["code"]) == (400, "future_month")


def test_progress_queries_do_not_grow_with_the_agents_or_orders(api_client, board):
    api_client.force_authenticate(board["users"]["e"])
    api_client.get(PROGRESS, {"month": "2025-10"})
    with CaptureQueriesContext(connection) as empty:
        api_client.get(PROGRESS, {"month": "2025-10"})
    api_client.force_authenticate(board["users"]["a"])
    with CaptureQueriesContext(connection) as busy:
        api_client.get(PROGRESS, {"month": "2025-10"})
    assert len(busy) == len(empty)


def test_the_schema_documents_both_endpoints(api_client, board):
    api_client.force_authenticate(board["supervisor"])
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/leaderboard/" in schema["paths"]
    assert "/api/v1/me/progress/" in schema["paths"]
