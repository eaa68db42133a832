"""Input as people paste it (issue 14 §1): an account number with spaces or dashes is taken
everywhere a number is asked for — the search page, the account page, the API's paths, bodies and
filters — and anything else is still refused with its code."""

import pytest

from campaigns.models import Appeal
from campaigns.models.accounts import normalise_account_number
from tests.campaigns.factories import AppealFactory, ConnectionOrderFactory

pytestmark = pytest.mark.django_db

PASTED = [
    "352-011-070-411",
    "352 011 070 411",
    " 352011070411 ",
    "352\u00a0011\u00a0070\u00a0411",  # no-break spaces from a CRM screen
    "352–011–070–411",  # en dashes from a document
    "3520-1107-0411",
]
NOT_NUMBERS = ["352-011-070-41", "352-011-070-4111", "352_011_070_411", "35201107041x"]


@pytest.mark.parametrize("pasted", PASTED)
def test_every_pasted_form_is_the_number(pasted):
    assert normalise_account_number(pasted) == "352011070411"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.mark.parametrize("pasted", PASTED)
def test_the_search_page_opens_the_account(agent_client, account, pasted):
    response = agent_client.get("/accounts/", {"q": pasted})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/352011070411/"


def test_the_account_page_under_a_pasted_number_goes_to_its_own_address(agent_client, account):
    response = agent_client.get("/accounts/352-011-070-411/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/352011070411/")


@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_what_is_not_a_number_stays_refused(agent_client, api_client, agent, account, number):
    assert agent_client.get(f"/accounts/{number}/").status_code == 404
    api_client.force_authenticate(agent)
    response = api_client.get(f"/api/v1/accounts/{number}/")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_account_number")


def test_the_search_fields_take_a_pasted_number_whole(agent_client, account):
    html = agent_client.get("/accounts/").content.decode()
    assert 'maxlength="24"' in html
    assert len("352 - 011 - 070 - 411") <= 24


@pytest.mark.parametrize("pasted", ["352-011-070-411", "352 011 070 411"])
def test_the_api_takes_pasted_numbers_in_paths_bodies_and_filters(
    api_client, agent, account, pasted
):
    api_client.force_authenticate(agent)
    assert api_client.get(f"/api/v1/accounts/{pasted}/").json()["number"] == "352011070411"
    assert api_client.get(f"/api/v1/accounts/{pasted}/recommendations/").status_code == 200
    created = api_client.post("/api/v1/appeals/", {"account": pasted}, format="json")
    assert created.status_code == 201, created.content
    assert Appeal.objects.get().account == account
    listed = api_client.get("/api/v1/appeals/", {"account": pasted}).json()
    assert listed["count"] == 1
    ConnectionOrderFactory(account=account, agent=agent)
    assert api_client.get("/api/v1/orders/", {"account": pasted}).json()["count"] == 1


def test_a_bad_body_number_is_400_with_a_translated_message(api_client, agent, account):
    api_client.force_authenticate(agent)
    response = api_client.post("/api/v1/appeals/", {"account": "352-011-070-41"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["account"][0] == "Номер лицевого счёта — ровно 12 цифр."


def test_an_open_appeal_is_found_under_a_pasted_number(agent_client, account, agent):
    AppealFactory(account=account, agent=agent)
    response = agent_client.post("/accounts/352-011-070-411/appeal/save/", {"close": "1"})
    assert response.status_code == 302
    assert Appeal.objects.get().closed_at is not None
