"""Hostile request bodies (issue 11 §2): bounded nesting and size, long credentials; never a 500.

The table, for every JSON endpoint (the token endpoint anonymous, the rest as a role that may post):

| body                                   | answer                                  |
|----------------------------------------|-----------------------------------------|
| nested 100,000 deep (lists or objects) | 400 `malformed`                         |
| nested API_JSON_MAX_DEPTH + 1          | 400 `malformed`                         |
| nested exactly API_JSON_MAX_DEPTH      | parsed (the view judges the content)    |
| not JSON, not UTF-8, NaN               | 400 `malformed`                         |
| announced over the limit               | 413 `too_large` unread (form bodies too)|
| exactly at the limit                   | parsed                                  |
| over the limit without a length        | 413 `too_large` from the parser         |
| username longer than a user's          | 400 `max_length`, no lockout record     |
"""

import io

import pytest
from axes.models import AccessAttempt
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from campaigns.models import SubscriberAccount
from config.floor.api import parsers
from tests.campaigns.factories import (
    AgentProfileFactory,
    AppealFactory,
    CampaignTargetFactory,
    SubscriberAccountFactory,
)

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LIMIT = 4096
DEPTH = 32


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT
    settings.API_JSON_MAX_DEPTH = DEPTH


def nested_lists(depth):
    return "[" * depth + "]" * depth


def nested_objects(depth):
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture
def result_url(db):
    account = SubscriberAccountFactory(number="352011070411")
    target = CampaignTargetFactory(account=account)
    return f"/api/v1/accounts/352011070411/recommendations/{target.pk}/result/"


@pytest.fixture
def agent_client(api_client):
    api_client.force_authenticate(AgentProfileFactory().user)
    return api_client


def post(client, url, body, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


HOSTILE = [
    pytest.param(nested_lists(100_000)[:LIMIT], id="lists-100000-deep-cut-to-limit"),
    pytest.param(nested_lists(DEPTH + 1), id="lists-one-too-deep"),
    pytest.param(nested_objects(DEPTH + 1), id="objects-one-too-deep"),
    pytest.param(nested_objects(600), id="objects-600-deep"),
    pytest.param("{not json", id="not-json"),
    pytest.param(b'{"username": "\xff\xfe"}', id="not-utf8"),
    pytest.param('{"username": NaN}', id="nan"),
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_bodies_are_400_malformed_on_the_anonymous_token_endpoint(api_client, body):
    response = post(api_client, TOKEN_URL, body)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "malformed"
    assert response.json()["detail"]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_bodies_are_400_malformed_for_a_signed_in_agent(agent_client, result_url, body):
    response = post(agent_client, result_url, body)

    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "malformed"


def test_a_body_nested_100000_deep_is_malformed_whatever_the_size_limit(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

    response = post(api_client, TOKEN_URL, nested_lists(100_000))

    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


def test_a_body_nested_exactly_to_the_limit_is_parsed(agent_client, result_url):
    # R1: the agent records an offer within an open appeal, its question resolved.
    agent = agent_client.handler._force_user
    AppealFactory(account=SubscriberAccount.objects.get(), agent=agent, question_resolved=True)
    body = '{"result": "thinking", "comment": "", "x": ' + nested_lists(DEPTH - 1) + "}"

    response = post(agent_client, result_url, body)

    assert response.status_code == 201, response.content[:300]


def test_a_malformed_body_says_where(api_client):
    response = post(api_client, TOKEN_URL, '{\n  "username": x}')

    assert "2" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/x-www-form-urlencoded", "text/plain"]
)
def test_an_announced_oversize_body_is_413_too_large_unread(api_client, content_type):
    response = post(api_client, TOKEN_URL, "x" * (LIMIT + 1), content_type)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    assert "4,0" in response.json()["detail"] or "4.0" in response.json()["detail"]


def test_an_oversize_body_for_a_signed_in_agent_is_413(agent_client, result_url):
    body = '{"result": "thinking", "comment": "' + "x" * LIMIT + '"}'

    response = post(agent_client, result_url, body)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_body_exactly_at_the_limit_is_read(agent_client, result_url):
    head = '{"result": "thinking", "comment": "'
    body = head + "x" * (LIMIT - len(head) - 2) + '"}'
    assert len(body) == LIMIT

    response = post(agent_client, result_url, body)

    assert response.status_code != 413
    assert response.json()["code"] != "malformed"


def test_the_parser_stops_reading_past_the_limit_when_no_length_was_announced():
    stream = io.BytesIO(b"[" + b" " * (LIMIT + 10) + b"]")

    with pytest.raises(parsers.TooLarge):
        parsers.JSONParser().parse(stream, "application/json", {})
    assert stream.tell() == LIMIT + 1


def test_depth_counts_lists_and_objects_without_recursion():
    assert parsers.depth_of(1) == 0
    assert parsers.depth_of([]) == 1
    assert parsers.depth_of({"a": [1, {"b": []}]}) == 4
    deep = []
    for _ in range(100_000):
        deep = [deep]
    assert parsers.depth_of(deep) == 100_001


def _api_views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/"):
            view = getattr(entry.callback, "cls", None)
            if view is not None and issubclass(view, APIView):
                yield prefix + str(entry.pattern), view


def test_every_api_view_parses_json_with_the_bounded_parser():
    views = list(_api_views())
    assert len(views) > 10
    for route, view in views:
        json_parsers = [p for p in view.parser_classes if p.media_type == "application/json"]
        assert json_parsers, route
        assert all(issubclass(p, parsers.JSONParser) for p in json_parsers), route


# Credentials longer than any user's name


@pytest.mark.parametrize("length", [151, 400, 4000])
def test_a_long_username_on_the_token_endpoint_is_a_400_field_error(api_client, length):
    response = api_client.post(
        TOKEN_URL, {"username": "u" * length, "password": "x"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "max_length"
    assert "username" in response.json()["errors"]
    assert not AccessAttempt.objects.exists()


def test_a_username_of_the_longest_allowed_length_is_checked_and_counted(api_client):
    response = api_client.post(TOKEN_URL, {"username": "u" * 150, "password": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "authorization"
    assert AccessAttempt.objects.get().username == "u" * 150


@pytest.mark.parametrize("length", [151, 400, 4000])
def test_a_long_username_on_the_login_page_is_a_form_error(client, length):
    response = client.post("/login/", {"username": "u" * length, "password": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_a_long_user_agent_is_recorded_cut_to_its_column(client):
    response = client.post(
        "/login/", {"username": "nobody", "password": "x"}, HTTP_USER_AGENT="A" * 1000
    )

    assert response.status_code == 200
    assert len(AccessAttempt.objects.get().user_agent) == 255
