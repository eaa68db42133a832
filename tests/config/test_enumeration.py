"""Enumeration and abuse (issue 11 §3): account search, throttles, the API docs, service logins."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from campaigns.models import AccountSearch, SearchChannel
from campaigns.services.account_search import (
    ACCOUNT_SEARCH_LIMIT,
    ACCOUNT_SEARCH_MIN_PREFIX,
    ERR_TOO_SHORT,
)
from config.floor.middleware import SERVICE_PATHS
from config.floor.roles import FULFILMENT
from tests.campaigns.factories import SubscriberAccountFactory
from tests.config.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = "/accounts/"
PASSWORD = "pass-12345"


@pytest.fixture
def base(db):
    """Fifteen accounts sharing an 8-digit prefix, and the demo account."""
    for index in range(15):
        SubscriberAccountFactory(number=f"35201107{index:04d}", surname=f"Иванов{index}")
    return SubscriberAccountFactory(number="352011070411")


def search(client, typed):
    return client.get(SEARCH, {"q": typed})


# The search rule: its table


@pytest.mark.parametrize(
    ("typed", "opens", "listed", "refused", "found"),
    [
        ("352011070411", True, 0, False, 1),
        ("352-011-070 411", True, 0, False, 1),
        ("352011079999", False, 0, False, 0),
        ("35201107", False, ACCOUNT_SEARCH_LIMIT, False, ACCOUNT_SEARCH_LIMIT),
        ("3520110700", False, 10, False, 10),
        ("35201107001", False, 5, False, 5),
        ("3520110", False, 0, True, 0),
        ("3", False, 0, True, 0),
        ("Иванов", False, 0, True, 0),
        ("35201107%", False, 0, True, 0),
    ],
)
def test_account_search_table(client, agent, base, typed, opens, listed, refused, found):
    client.force_login(agent)

    response = search(client, typed)

    if opens:
        assert response.status_code == 302
        assert response.url == reverse("account-page", args=["352011070411"])
    else:
        assert response.status_code == 200
        assert len(response.context["matches"]) == listed
        assert bool(response.context["refused"]) is refused
    row = AccountSearch.objects.get()
    assert (row.user, row.found, row.channel) == (agent, found, SearchChannel.PAGE)


def test_an_empty_search_is_the_page_and_no_audit_row(client, agent):
    client.force_login(agent)

    assert search(client, "  ").status_code == 200
    assert not AccountSearch.objects.exists()


def test_a_hundred_short_prefixes_list_no_account(client, agent, base, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "account_search": "1000/hour"}
    client.force_login(agent)
    listed = set()
    for prefix in range(100):
        response = search(client, f"{prefix:0{ACCOUNT_SEARCH_MIN_PREFIX - 1}d}")
        listed |= {a.number for a in response.context["matches"]}

    assert listed == set()
    assert AccountSearch.objects.count() == 100


def test_the_refusal_says_how_many_digits(client, agent):
    client.force_login(agent)

    response = search(client, "3520")

    assert str(ERR_TOO_SHORT % {"digits": ACCOUNT_SEARCH_MIN_PREFIX}) in response.content.decode()


# Throttles


def test_account_lookups_are_throttled_per_user_on_the_page(client, agent, base, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "account_search": "3/min"}
    client.force_login(agent)

    statuses = [search(client, "35201107").status_code for _ in range(3)]
    page = client.get(reverse("account-page", args=["352011070411"]))

    assert statuses == [200, 200, 200]
    assert page.status_code == 429
    assert page["Retry-After"]
    assert AccountSearch.objects.count() == 3


def test_account_lookups_are_throttled_per_user_in_the_api(api_client, agent, base, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "account_search": "2/min"}
    api_client.force_authenticate(agent)
    url = "/api/v1/accounts/352011070411/"

    statuses = [api_client.get(url).status_code for _ in range(3)]
    other = UserFactory(role="Agents")
    api_client.force_authenticate(other)

    assert statuses == [200, 200, 429]
    assert api_client.get(url).status_code == 200
    assert AccountSearch.objects.filter(channel=SearchChannel.API, found=1).count() == 3


def test_the_crm_is_neither_throttled_nor_audited(api_client, crm_user, base, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "account_search": "1/min"}
    api_client.force_authenticate(crm_user)

    statuses = {api_client.get("/api/v1/accounts/352011070411/").status_code for _ in range(3)}

    assert statuses == {200}
    assert not AccountSearch.objects.exists()


def test_a_missing_account_in_the_api_is_audited_as_found_none(api_client, agent, db):
    api_client.force_authenticate(agent)

    assert api_client.get("/api/v1/accounts/352011079999/").status_code == 404
    assert AccountSearch.objects.get().found == 0


def test_sign_in_attempts_are_throttled_per_address_on_the_login_page(client, db, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "3/min"}
    for index in range(3):
        response = client.post("/login/", {"username": f"user{index}", "password": "x"})
        assert response.status_code == 200
    assert client.get("/login/").status_code == 200  # reading the page is not an attempt

    refused = client.post("/login/", {"username": "user9", "password": "x"})

    assert refused.status_code == 429
    assert AccessAttempt.objects.count() == 3  # the refused attempt never reached authentication


def test_sign_in_attempts_are_throttled_per_address_on_the_token_endpoint(api_client, settings, db):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "2/min"}
    url = "/api/v1/auth/token/"
    for index in range(2):
        api_client.post(url, {"username": f"user{index}", "password": "x"}, format="json")

    refused = api_client.post(url, {"username": "user9", "password": "x"}, format="json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert refused["Retry-After"]


# The API's schema and docs


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_require_a_login_when_the_setting_says_so(client, agent, settings, path):
    settings.API_DOCS_REQUIRE_LOGIN = True
    assert client.get(path).status_code in (401, 403)

    client.force_login(agent)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_open_when_the_setting_allows(client, settings, path, db):
    settings.API_DOCS_REQUIRE_LOGIN = False

    assert client.get(path).status_code == 200


# Service logins are API-only


@pytest.fixture
def fulfilment_user(db):
    return UserFactory(username="fulfilment", role=FULFILMENT)


@pytest.mark.parametrize("who", ["crm_user", "fulfilment_user"])
def test_a_service_login_cannot_sign_in_on_the_login_page(client, request, who):
    user = request.getfixturevalue(who)

    response = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("who", ["crm_user", "fulfilment_user"])
@pytest.mark.parametrize("path", ["/", "/kb/", "/accounts/", "/orders/", "/leaderboard/", "/me/"])
def test_a_service_login_with_a_session_opens_no_page(client, request, who, path):
    client.force_login(request.getfixturevalue(who))

    response = client.get(path)

    assert response.status_code == 403
    assert "API" in response.content.decode()


def test_a_service_login_keeps_the_api(client, crm_user):
    client.force_login(crm_user)

    assert client.get("/api/v1/auth/me/").status_code == 200
    assert "/api/" in SERVICE_PATHS


def test_a_person_with_a_service_role_and_a_human_one_keeps_the_pages(client, crm_user):
    from django.contrib.auth.models import Group

    crm_user.groups.add(Group.objects.get(name="Agents"))
    client.force_login(crm_user)

    assert client.get("/").status_code == 200
