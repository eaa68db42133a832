"""Bad input anywhere in the API gets a 4xx with a code, never a 500 (both databases)."""

import pytest

from tests.campaigns.factories import (
    AgentProfileFactory,
    AppealFactory,
    CampaignTargetFactory,
    SubscriberAccountFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body,ctype",
    [
        ("not json", "application/json"),
        ('{"result": ["thinking"]}', "application/json"),
        ('{"result": "thinking", "objections": [{"a": 1}]}', "application/json"),
        ('{"result": "thinking", "comment": "' + "x" * 5000 + '"}', "application/json"),
        ('{"result": "thinking", "appeal": "abc"}', "application/json"),
        ('{"result": "thinking", "appeal": 99999999999999999999}', "application/json"),
        ("[]", "application/json"),
        ("null", "application/json"),
    ],
)
def test_malformed_result_bodies_get_a_4xx_with_a_code(api_client, body, ctype):
    agent = AgentProfileFactory().user
    acc = SubscriberAccountFactory(number="352011070411")
    t = CampaignTargetFactory(account=acc)
    api_client.force_authenticate(agent)
    r = api_client.generic(
        "POST",
        f"/api/v1/accounts/352011070411/recommendations/{t.pk}/result/",
        body,
        content_type=ctype,
    )
    assert 400 <= r.status_code < 500, r.content
    assert "code" in r.json()


def test_a_form_encoded_result_is_taken_like_a_json_one(api_client):
    """Not bad input: DRF parses a form body as it does JSON, so the result is recorded."""
    agent = AgentProfileFactory().user
    acc = SubscriberAccountFactory(number="352011070411")
    t = CampaignTargetFactory(account=acc)
    AppealFactory(account=acc, agent=agent, question_resolved=True)
    api_client.force_authenticate(agent)
    r = api_client.generic(
        "POST",
        f"/api/v1/accounts/352011070411/recommendations/{t.pk}/result/",
        "result=thinking",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 201, r.content
    assert r.json()["result"] == "thinking"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/accounts/352011070411/recommendations/?appeal=1e9",
        "/api/v1/accounts/352011070411/recommendations/?appeal=99999999999999999999",
        "/api/v1/appeals/?account=x&open=maybe",
        "/api/v1/appeals/99999999999999999999/",
        "/api/v1/offers/?kind=nope&page=abc",
        "/api/v1/offers/?page_size=100000",
        "/api/v1/campaigns/?running_on=2026-13-45",
        "/api/v1/rewards/rules/?valid_on=garbage",
        "/api/v1/leaderboard/?month=2026-13",
        "/api/v1/me/progress/?month=abcd",
        "/api/v1/kb/articles/?search=" + "'\"&|!:*()" * 10,
        "/api/v1/kb/articles/?search=" + "a" * 10000,
        "/api/v1/orders/?status=nope",
        "/api/v1/orders/999999999999999999999/",
    ],
)
def test_malformed_queries_never_cause_a_500(api_client, url):
    agent = AgentProfileFactory().user
    SubscriberAccountFactory(number="352011070411")
    api_client.force_authenticate(agent)
    r = api_client.get(url)
    assert r.status_code < 500, (url, r.content[:300])
