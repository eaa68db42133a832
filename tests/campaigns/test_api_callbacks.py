"""`GET /api/v1/callbacks/?due_before=…` (agents their own, the CRM by agent), moving one, and the
callback time on the result endpoint."""

import datetime

import pytest

from campaigns.models import Callback
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import AgentProfileFactory, CallbackFactory
from tests.config.factories import CrmUserFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/callbacks/"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(agent):
    other = AgentProfileFactory(user__username="agent2").user
    return {
        "mine_soon": CallbackFactory(agent=agent, due_at=NOW + DAY),
        "mine_later": CallbackFactory(agent=agent, due_at=NOW + 5 * DAY),
        "mine_made": CallbackFactory(agent=agent, due_at=NOW - DAY, closed_at=NOW - DAY),
        "other": CallbackFactory(agent=other, due_at=NOW + DAY),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_agent_lists_only_their_own_open_callbacks(api_client, agent, world):
    api_client.force_authenticate(agent)
    assert ids(api_client.get(URL)) == {world["mine_soon"].pk, world["mine_later"].pk}
    row = api_client.get(URL).json()["results"][0]
    assert row["account"] == world["mine_soon"].account.number
    assert set(row) >= {"offer", "campaign", "agent", "due_at", "overdue", "made_on_time"}
    assert api_client.get(f"{URL}{world['other'].pk}/").status_code == 404


def test_due_before_bounds_the_list(api_client, agent, world):
    api_client.force_authenticate(agent)
    before = (NOW + 2 * DAY).isoformat()
    assert ids(api_client.get(URL, {"due_before": before})) == {world["mine_soon"].pk}
    assert ids(api_client.get(URL, {"due_before": "2026-11-27"})) == {world["mine_soon"].pk}


def test_state_made_and_all(api_client, agent, world):
    api_client.force_authenticate(agent)
    assert ids(api_client.get(URL, {"state": "made"})) == {world["mine_made"].pk}
    assert len(ids(api_client.get(URL, {"state": "all"}))) == 3


def test_the_crm_lists_every_agents_and_filters_by_agent(api_client, agent, world):
    api_client.force_authenticate(CrmUserFactory())
    assert len(ids(api_client.get(URL))) == 3
    assert ids(api_client.get(URL, {"agent": "agent2"})) == {world["other"].pk}


def test_a_supervisor_sees_their_teams_callbacks(api_client, agent, world):
    supervisor = SupervisorFactory()
    agent.agent_profile.team.supervisors.add(supervisor)
    api_client.force_authenticate(supervisor)
    assert ids(api_client.get(URL)) == {world["mine_soon"].pk, world["mine_later"].pk}


def test_due_after_in_any_zone_is_the_same_moment(api_client, agent, world):
    """Python takes offsets up to ±23:59, PostgreSQL up to ±15:59: the filter's value is
    brought into the local zone before the query (it was a DataError, a 500, on PostgreSQL)."""
    api_client.force_authenticate(agent)
    moment = NOW + 2 * DAY
    far_west = moment.astimezone(datetime.timezone(-datetime.timedelta(hours=21, minutes=19)))
    assert far_west.isoformat().endswith("-21:19")
    assert ids(api_client.get(URL, {"due_after": far_west.isoformat()})) == {world["mine_later"].pk}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"due_before": "завтра"}, "due_before"),
        ({"state": "maybe"}, "state"),
        # Moments without a local date-time (year 1 west of Moscow, year 9999 east of it).
        ({"due_after": "0001-01-01T00:00:00+05:00"}, "due_after"),
        ({"due_before": "9999-12-31T23:59:59-21:19"}, "due_before"),
    ],
)
def test_bad_filters_are_a_400_with_a_code(api_client, agent, params, field):
    api_client.force_authenticate(agent)
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] and field in response.json()["errors"]


def test_who_may_not_list(api_client):
    assert api_client.get(URL).status_code == 401
    api_client.force_authenticate(UserFactory())
    assert api_client.get(URL).status_code == 403


def test_the_list_takes_constant_queries(api_client, agent, django_assert_max_num_queries):
    api_client.force_authenticate(agent)
    for _ in range(5):
        CallbackFactory(agent=agent)
    with django_assert_max_num_queries(4):
        assert len(ids(api_client.get(URL))) == 5


def test_the_agent_moves_their_callback(api_client, agent, world):
    api_client.force_authenticate(agent)
    callback = world["mine_later"]
    due = (callback.due_at + DAY).replace(hour=8)
    response = api_client.post(f"{URL}{callback.pk}/reschedule/", {"due_at": due.isoformat()})
    assert response.status_code == 200, response.content
    callback.refresh_from_db()
    assert callback.due_at == due


@pytest.mark.parametrize(
    ("which", "body", "status", "code"),
    [
        ("other", {"due_at": "2030-01-01T10:00"}, 404, "callback_not_found"),
        ("mine_made", {"due_at": "2030-01-01T10:00"}, 409, "callback_closed"),
        ("mine_soon", {"due_at": "2020-01-01T10:00"}, 400, "callback_in_past"),
        ("mine_soon", {"due_at": "когда-нибудь"}, 400, "invalid"),
    ],
)
def test_moving_is_refused_with_a_code(api_client, agent, world, which, body, status, code):
    api_client.force_authenticate(agent)
    response = api_client.post(f"{URL}{world[which].pk}/reschedule/", body)
    assert response.status_code == status
    assert response.json()["code"] == code


def test_the_result_endpoint_takes_and_returns_the_callback_time(
    api_client, agent, account, targets
):
    from campaigns.models import Appeal

    Appeal.objects.create(account=account, agent=agent, question_resolved=True)
    api_client.force_authenticate(agent)
    url = f"/api/v1/accounts/{account.number}/recommendations/{targets[0].pk}/result/"
    due = "2099-01-01T10:00:00+03:00"
    response = api_client.post(url, {"result": "thinking", "callback_at": due})
    assert response.status_code == 400  # more than 30 days ahead
    assert response.json()["code"] == "callback_too_far"
    assert not Callback.objects.exists()
    response = api_client.post(url, {"result": "thinking"})
    assert response.status_code == 201, response.content
    callback = Callback.objects.get()
    assert response.json()["callback"]["id"] == callback.pk
