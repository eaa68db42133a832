"""Ids read from paths and query strings: only ASCII digits within bigint are ids.

`str.isdigit()` also takes «²» (which `int()` refuses: it was a 500) and «١» (which `int()` reads
as 1: a save on another recommendation than the one written); a number beyond bigint is no row's.
Every endpoint that reads an id from text refuses them with a 4xx (and a code on the API)."""

import pytest

from config.floor.ids import MAX_ID, parse_id
from tests.campaigns.factories import (
    AgentProfileFactory,
    AppealFactory,
    CampaignTargetFactory,
    SubscriberAccountFactory,
)
from tests.config.factories import ManagerFactory

ODD = ["²", "١", "１", str(MAX_ID + 1), "99999999999999999999", "-1", "1.0", " 1", "1 ", ""]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("0", 0), ("007", 7), (str(MAX_ID), MAX_ID), (12, 12), (None, None)]
    + [(odd, None) for odd in ODD],
)
def test_only_ascii_digits_within_bigint_are_ids(text, expected):
    assert parse_id(text) == expected


@pytest.fixture
def call(db, api_client):
    agent = AgentProfileFactory().user
    account = SubscriberAccountFactory(number="352011070411")
    target = CampaignTargetFactory(account=account)
    AppealFactory(account=account, agent=agent, question_resolved=True)
    api_client.force_authenticate(agent)
    return api_client, target, agent


@pytest.mark.parametrize("odd", ["²", "١", "99999999999999999999"])
def test_a_recommendation_id_that_is_no_id_is_refused_and_saves_nothing(call, odd):
    from campaigns.models import ContactHistoryEntry

    client, target, _agent = call
    assert target.pk  # recommendation 1 may well exist: «١» must not reach it
    base = "/api/v1/accounts/352011070411/recommendations/"
    saved = client.post(f"{base}{odd}/result/", {"result": "thinking"}, format="json")
    assert 400 <= saved.status_code < 500 and saved.json()["code"] == "not_on_account"
    assert not ContactHistoryEntry.objects.exists()
    answers = client.get(f"{base}{odd}/answers/")
    assert answers.status_code == 404 and answers.json()["code"] == "not_on_account"
    appeal = client.get(f"{base}{target.pk}/answers/", {"appeal": odd})
    assert appeal.status_code == 400 and appeal.json()["code"] == "invalid_appeal"


@pytest.mark.parametrize("odd", ["²", "١", "99999999999999999999"])
def test_other_ids_read_from_text_are_refused_with_a_4xx(call, client, odd):
    api_client, _target, agent = call
    moved = api_client.post(
        f"/api/v1/callbacks/{odd}/reschedule/", {"due_at": "2030-01-10T12:00:00+03:00"}
    )
    assert 400 <= moved.status_code < 500 and moved.json()["code"]
    dispute = api_client.get(f"/api/v1/disputes/{odd}/")
    assert dispute.status_code == 404
    client.force_login(agent)
    assert client.get("/orders/status/", {"id": odd}).status_code == 400
    client.force_login(ManagerFactory())
    board = client.get("/api/v1/leaderboard/", {"team": odd})
    assert board.status_code == 400 and board.json()["code"] == "invalid_team"
    assert client.get("/api/v1/kb/articles/", {"category": odd}).status_code == 200
    assert client.get("/admin/rewards/campaignmonth/", {"campaign": odd}).status_code == 200
    assert client.get("/admin/campaigns/campaign/", {"o": odd}).status_code == 200
