"""The API plumbing: token auth, the error format, pagination, the schema and the catalogue."""

import datetime
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from campaigns.models import CampaignStatus
from config.floor.api.errors import ERR_VALIDATION
from offers.models import OfferKind, ServiceCode
from rewards.models import RewardKind
from tests.campaigns.factories import CampaignFactory
from tests.offers.factories import OfferFactory, SegmentFactory, ServiceFactory
from tests.rewards.factories import RewardBandFactory, RewardRuleFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
OFFERS_URL = "/api/v1/offers/"
CAMPAIGNS_URL = "/api/v1/campaigns/"
RULES_URL = "/api/v1/rewards/rules/"
PASSWORD = "pass-12345"


def codes_of(response):
    return [row["code"] for row in response.json()["results"]]


# Tokens and authentication


def test_token_for_good_credentials_is_the_users_token(api_client, crm_user):
    response = api_client.post(TOKEN_URL, {"username": "crm", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=crm_user).key}
    again = api_client.post(TOKEN_URL, {"username": "crm", "password": PASSWORD})
    assert again.json() == response.json()


def test_token_for_a_wrong_password_is_400_with_a_code(api_client, crm_user):
    response = api_client.post(TOKEN_URL, {"username": "crm", "password": "wrong"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "authorization"
    assert body["detail"]
    assert "non_field_errors" in body["errors"]
    assert not Token.objects.exists()


def test_token_without_credentials_names_the_missing_fields(api_client, db):
    response = api_client.post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "required"
    assert body["detail"] == str(ERR_VALIDATION)
    assert set(body["errors"]) == {"username", "password"}


def test_token_endpoint_ignores_a_stale_authorization_header(api_client, crm_user):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.post(TOKEN_URL, {"username": "crm", "password": PASSWORD})

    assert response.status_code == 200


def test_token_authenticates_the_api(api_client, crm_user):
    token = Token.objects.create(user=crm_user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api_client.get(OFFERS_URL)

    assert response.status_code == 200


def test_an_unknown_token_is_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    response = api_client.get(OFFERS_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", [OFFERS_URL, CAMPAIGNS_URL, RULES_URL])
def test_anonymous_gets_the_error_body(api_client, db, url):
    response = api_client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "not_authenticated"


def test_session_authentication_works_for_the_browser(client, agent):
    client.force_login(agent)

    response = client.get(OFFERS_URL)

    assert response.status_code == 200


# The error format


def test_unknown_object_is_404_with_the_error_body(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.get(f"{OFFERS_URL}999999/")

    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"code", "detail"}
    assert body["code"] == "not_found"


def test_an_unknown_api_path_is_404_with_the_error_body(api_client, db):
    response = api_client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_invalid_filter_value_is_a_validation_error(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.get(OFFERS_URL, {"kind": "spaceship"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_choice"
    assert body["detail"] == str(ERR_VALIDATION)
    assert list(body["errors"]) == ["kind"]


def test_an_invalid_date_filter_is_a_validation_error(api_client, agent):
    api_client.force_authenticate(agent)

    response = api_client.get(CAMPAIGNS_URL, {"running_on": "tomorrow"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "running_on" in response.json()["errors"]


def test_writing_to_the_read_only_catalogue_is_405(api_client, manager):
    api_client.force_authenticate(manager)

    response = api_client.post(OFFERS_URL, {"code": "x"})

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_malformed_json_is_400_malformed(api_client, db):
    response = api_client.post(TOKEN_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed"


# Pagination


def test_lists_are_paginated_with_count_next_previous_results(api_client, agent):
    service = ServiceFactory()
    OfferFactory.create_batch(25, service=service)
    api_client.force_authenticate(agent)

    first = api_client.get(OFFERS_URL).json()
    second = api_client.get(OFFERS_URL, {"page": 2}).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert second["previous"] is not None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_page_size_is_honoured_and_capped_at_100(api_client, agent):
    service = ServiceFactory()
    OfferFactory.create_batch(105, service=service)
    api_client.force_authenticate(agent)

    small = api_client.get(OFFERS_URL, {"page_size": 7}).json()
    capped = api_client.get(OFFERS_URL, {"page_size": 1000}).json()

    assert len(small["results"]) == 7
    assert capped["count"] == 105
    assert len(capped["results"]) == 100


def test_a_page_past_the_end_is_404(api_client, agent):
    OfferFactory()
    api_client.force_authenticate(agent)

    response = api_client.get(OFFERS_URL, {"page": 99})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# The schema and the docs


@pytest.fixture
def schema(client, manager):
    client.force_login(manager)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_with_the_catalogue(schema):
    assert schema["openapi"].startswith("3.")
    for path in (TOKEN_URL, OFFERS_URL, CAMPAIGNS_URL, RULES_URL, f"{OFFERS_URL}{{id}}/"):
        assert path in schema["paths"]
    assert {"code", "detail"} <= set(schema["components"]["schemas"]["Error"]["properties"])


def _error_ref(operation, code):
    return operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_documents_its_error_responses(schema):
    error = "#/components/schemas/Error"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            open_to_anyone = {} in operation.get("security", [])
            if not open_to_anyone:
                assert _error_ref(operation, "401") == error, (method, path)
                assert _error_ref(operation, "403") == error, (method, path)
            if "{" in path:
                assert _error_ref(operation, "404") == error, (method, path)
            parameters = operation.get("parameters", [])
            if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
                assert _error_ref(operation, "400") == error, (method, path)
            if operation.get("requestBody"):
                assert _error_ref(operation, "413") == error, (method, path)
            if method != "get" and not open_to_anyone:
                assert _error_ref(operation, "409") == error, (method, path)
            assert any(code.startswith("2") for code in responses), (method, path)


def test_throttled_operations_document_429_and_the_others_do_not(schema):
    throttled = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "429" in operation["responses"]
    }
    assert throttled == {("/api/v1/accounts/{number}/", "get"), (TOKEN_URL, "post")}


def test_an_account_documents_the_400_of_a_number_that_is_not_one(schema):
    operation = schema["paths"]["/api/v1/accounts/{number}/"]["get"]
    assert _error_ref(operation, "400") == "#/components/schemas/Error"


def test_recommendations_are_documented_as_the_whole_list_they_are(schema):
    """The list is best first and whole: no page, page size or ordering (the schema offered
    them, and a page object the endpoint never answered)."""
    operation = schema["paths"]["/api/v1/accounts/{number}/recommendations/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"number", "appeal"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"type": "array", "items": {"$ref": "#/components/schemas/Recommendation"}}


def test_the_dispute_list_is_one_page_with_the_open_count(schema):
    """Its schema once wrapped the page (count, open, results) in a second page."""
    operation = schema["paths"]["/api/v1/disputes/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(page["properties"]) == {"count", "open", "next", "previous", "results"}
    assert {"count", "open", "results"} <= set(page["required"])
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Dispute"}


def test_token_endpoint_documents_400_but_no_authentication_errors(schema):
    operation = schema["paths"][TOKEN_URL]["post"]
    assert _error_ref(operation, "400") == "#/components/schemas/Error"
    assert "401" not in operation["responses"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Token"
    }
    assert "token" in schema["components"]["schemas"]["Token"]["properties"]


def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


def test_swagger_ui_loads_from_our_own_static_files(client, manager):
    client.force_login(manager)

    response = client.get("/api/docs/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in content
    assert "cdn." not in content
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


# The catalogue endpoints and their filters


@pytest.fixture
def catalogue(db):
    broadband = ServiceFactory(code=ServiceCode.BROADBAND)
    iptv = ServiceFactory(code=ServiceCode.IPTV)
    segment = SegmentFactory(code="bb-only", services=[broadband])
    antivirus = OfferFactory(
        code="antivirus", kind=OfferKind.SUBSCRIPTION, service=broadband, segments=[segment]
    )
    router = OfferFactory(
        code="router", kind=OfferKind.EQUIPMENT, service=broadband, monthly_price=Decimal("99")
    )
    tv = OfferFactory(code="tv-pack", kind=OfferKind.PACKAGE, service=iptv)
    old = OfferFactory(code="old-option", service=iptv, is_active=False)
    return {"antivirus": antivirus, "router": router, "tv": tv, "old": old, "segment": segment}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"antivirus", "router", "tv-pack", "old-option"}),
        ({"kind": "equipment"}, {"router"}),
        ({"kind": ["equipment", "package"]}, {"router", "tv-pack"}),
        ({"service": "iptv"}, {"tv-pack", "old-option"}),
        ({"segment": "bb-only"}, {"antivirus"}),
        ({"active": "false"}, {"old-option"}),
        ({"active": "true", "service": "iptv"}, {"tv-pack"}),
    ],
)
def test_offer_filters(api_client, agent, catalogue, params, expected):
    api_client.force_authenticate(agent)

    response = api_client.get(OFFERS_URL, params)

    assert response.status_code == 200
    assert set(codes_of(response)) == expected


def test_offer_rows_carry_the_catalogue_fields(api_client, agent, catalogue):
    api_client.force_authenticate(agent)

    row = api_client.get(f"{OFFERS_URL}{catalogue['antivirus'].pk}/").json()

    assert row["code"] == "antivirus"
    assert row["kind"] == "subscription"
    assert row["service"] == "broadband"
    assert row["segments"] == ["bb-only"]
    assert Decimal(row["monthly_price"]) == Decimal("139.00")
    assert Decimal(row["price_per_day"]) > 0


@pytest.fixture
def campaigns(catalogue):
    today = datetime.date(2026, 3, 15)
    return {
        "running": CampaignFactory(
            code="RUNNING", offer=catalogue["antivirus"], starts_on=today.replace(day=1)
        ),
        "ended": CampaignFactory(
            code="ENDED",
            offer=catalogue["antivirus"],
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 2, 1),
        ),
        "draft": CampaignFactory(
            code="DRAFT",
            offer=catalogue["tv"],
            status=CampaignStatus.DRAFT,
            starts_on=today.replace(day=1),
        ),
        "paused": CampaignFactory(
            code="PAUSED",
            offer=catalogue["router"],
            status=CampaignStatus.PAUSED,
            starts_on=datetime.date(2026, 1, 1),
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"RUNNING", "ENDED", "DRAFT", "PAUSED"}),
        ({"status": "draft"}, {"DRAFT"}),
        ({"status": ["draft", "paused"]}, {"DRAFT", "PAUSED"}),
        ({"offer": "antivirus"}, {"RUNNING", "ENDED"}),
        ({"running_on": "2026-03-15"}, {"RUNNING"}),
        ({"running_on": "2026-01-15"}, {"ENDED"}),
        ({"offer": "antivirus", "running_on": "2026-02-15"}, set()),
    ],
)
def test_campaign_filters(api_client, agent, campaigns, params, expected):
    api_client.force_authenticate(agent)

    response = api_client.get(CAMPAIGNS_URL, params)

    assert response.status_code == 200
    assert set(codes_of(response)) == expected


def test_campaign_rows_nest_the_offer(api_client, agent, campaigns):
    api_client.force_authenticate(agent)

    row = api_client.get(f"{CAMPAIGNS_URL}{campaigns['running'].pk}/").json()

    assert row["code"] == "RUNNING"
    assert row["status"] == "active"
    assert row["offer"]["code"] == "antivirus"
    assert row["offer"]["service"] == "broadband"


@pytest.fixture
def rules(catalogue):
    broadband = catalogue["antivirus"].service
    iptv = catalogue["tv"].service
    return {
        "fixed": RewardRuleFactory(
            code="fixed", service=broadband, offers=[catalogue["antivirus"]]
        ),
        "share": RewardRuleFactory(
            code="share",
            service=iptv,
            kind=RewardKind.ARPU_SHARE,
            amount=None,
            arpu_share=Decimal("0.750"),
            valid_from=datetime.date(2026, 1, 1),
        ),
        "old": RewardRuleFactory(
            code="old",
            service=broadband,
            valid_from=datetime.date(2019, 1, 1),
            valid_to=datetime.date(2020, 12, 31),
        ),
        "band": RewardBandFactory(rule__code="tiered", rule__service=broadband).rule,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"fixed", "share", "old", "tiered"}),
        ({"kind": "arpu_share"}, {"share"}),
        ({"kind": "tiered"}, {"tiered"}),
        ({"service": "iptv"}, {"share"}),
        ({"valid_on": "2020-06-01"}, {"fixed", "old", "tiered"}),
        ({"valid_on": "2026-06-01", "service": "broadband"}, {"fixed", "tiered"}),
    ],
)
def test_reward_rule_filters(api_client, agent, rules, params, expected):
    api_client.force_authenticate(agent)

    response = api_client.get(RULES_URL, params)

    assert response.status_code == 200
    assert set(codes_of(response)) == expected


def test_reward_rule_rows_carry_bands_and_offers(api_client, agent, rules):
    api_client.force_authenticate(agent)

    rows = {row["code"]: row for row in api_client.get(RULES_URL).json()["results"]}

    assert rows["fixed"]["offers"] == ["antivirus"]
    assert Decimal(rows["fixed"]["amount"]) == Decimal("15.00")
    assert Decimal(rows["share"]["arpu_share"]) == Decimal("0.750")
    assert rows["tiered"]["bands"] == [
        {"min_increase": "0.00", "max_increase": None, "amount": "15.00"}
    ]


# A constant number of queries, whatever the number of rows


def _make_offer(n):
    segment = SegmentFactory()
    OfferFactory(segments=[segment])


def _make_campaign(n):
    CampaignFactory(segments=[SegmentFactory()])


def _make_rule(n):
    rule = RewardBandFactory().rule
    rule.offers.set([OfferFactory()])


@pytest.mark.parametrize(
    ("url", "make_row"),
    [(OFFERS_URL, _make_offer), (CAMPAIGNS_URL, _make_campaign), (RULES_URL, _make_rule)],
)
def test_list_queries_do_not_grow_with_rows(
    api_client, agent, django_assert_num_queries, url, make_row
):
    api_client.force_authenticate(agent)
    make_row(0)
    with CaptureQueriesContext(connection) as one_row:
        assert api_client.get(url).json()["count"] == 1
    for n in range(1, 10):
        make_row(n)

    with django_assert_num_queries(len(one_row.captured_queries)):
        assert api_client.get(url).json()["count"] == 10
