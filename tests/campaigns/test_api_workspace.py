"""The workspace API: accounts, recommendations, results and appeals (CONTRACT.md)."""

import datetime
import json
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from campaigns.api import serializers
from campaigns.models import Appeal, ContactHistoryEntry, ResultCode
from config.floor.models import IdempotencyKey
from tests.campaigns.factories import (
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
)
from tests.config.factories import CrmUserFactory, ManagerFactory, SupervisorFactory
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "/api/v1/accounts/352011070411/"
RECS_URL = ACCOUNT_URL + "recommendations/"


def result_url(target):
    return f"{RECS_URL}{target.pk}/result/"


@pytest.fixture
def as_agent(api_client, agent):
    api_client.force_authenticate(agent)
    return api_client


@pytest.fixture
def in_call(as_agent, call):
    """The agent on a call: an open appeal, the question resolved (R1)."""
    return as_agent


@pytest.fixture
def as_crm(api_client):
    api_client.force_authenticate(CrmUserFactory(username="crm"))
    return api_client


def test_account_shows_its_state_with_contacts_masked_for_agents(as_agent, account):
    body = as_agent.get(ACCOUNT_URL).json()
    assert body["payment_model"] == "advance"
    assert body["balance"] == "224.55"
    assert body["services"] == ["broadband"]
    assert body["contact_phone"] == "+7 ••• •••-••-68"
    assert body["email"] == "z•••@example.com"


def test_crm_sees_the_contacts_it_reported(as_crm, account):
    assert as_crm.get(ACCOUNT_URL).json()["contact_phone"] == "+79161234568"


def test_unknown_account_is_404_with_a_code(as_agent, db):
    response = as_agent.get("/api/v1/accounts/352000000000/recommendations/")
    assert response.status_code == 404
    assert response.json()["code"] == "account_not_found"


@pytest.mark.parametrize(
    "number", ["35201107041", "3520110704111", "abcdefghijkl", "35201107041%20"]
)
def test_malformed_account_number_is_400_with_a_code(as_agent, number):
    response = as_agent.get(f"/api/v1/accounts/{number}/recommendations/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_account_number"


def test_anonymous_gets_no_recommendations(api_client, account):
    response = api_client.get(RECS_URL)
    assert response.status_code in (401, 403)
    assert "code" in response.json()


def test_recommendations_have_the_contract_shape(as_agent, targets):
    body = as_agent.get(RECS_URL).json()
    assert [r["campaign"]["code"] for r in body] == ["Антивирус_vo12_CRM_MR03", "TEST_CRM_MR03_W4"]
    first = body[0]
    assert first["id"] == targets[0].pk
    assert first["offer"]["code"] == "kaspersky-2"
    assert first["offer"]["kind"] == "subscription"
    assert first["offer"]["service"] == "broadband"
    assert first["offer"]["monthly_price"] == "139.00"
    assert first["offer"]["price_per_day"]
    assert first["script"].startswith("Евгений Михайлович")
    assert first["result"] == "not_offered"
    assert first["eligible"] is True
    assert first["reasons"] == []
    assert first["history"] == []


def test_ineligible_recommendations_come_with_reason_codes_and_labels(as_agent, account, targets):
    account.financial_block = True
    account.save()
    first = as_agent.get(RECS_URL).json()[0]
    assert first["eligible"] is False
    assert first["reasons"] == ["financial_block"]
    assert first["reason_labels"][0]["code"] == "financial_block"


def test_recommendations_run_a_constant_number_of_queries(as_agent, account, targets, broadband):
    def count():
        as_agent.get(RECS_URL)  # warm the per-process catalogue copy
        with CaptureQueriesContext(connection) as ctx:
            assert as_agent.get(RECS_URL).status_code == 200
        return len(ctx)

    ContactHistoryEntryFactory(target=targets[0])
    before = count()
    for _ in range(5):
        campaign = CampaignFactory(offer=OfferFactory(service=broadband))
        target = CampaignTargetFactory(campaign=campaign, account=account)
        ContactHistoryEntryFactory(target=target)
    assert count() == before
    # PostgreSQL: one statement for the account, its targets and their history (the caller's
    # roles are already known); SQLite, without arrays, reads the relations one by one.
    assert before == (1 if connection.vendor == "postgresql" else 6)


def test_recording_a_result_returns_the_history_of_both_campaigns(in_call, targets, objections):
    response = in_call.post(
        result_url(targets[0]),
        {"result": "thinking", "objections": ["expensive"], "comment": "Перезвонить"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["recommendations"] == [targets[0].pk, targets[1].pk]
    assert [h["objections"] for h in body["history"]] == [["expensive"], ["expensive"]]
    assert body["order_url"] is None
    recs = in_call.get(RECS_URL).json()
    assert [r["result"] for r in recs] == ["thinking", "thinking"]
    assert all(len(r["history"]) == 1 for r in recs)


def test_third_objection_is_400_with_a_code(in_call, targets, objections):
    response = in_call.post(
        result_url(targets[0]),
        {"result": "thinking", "objections": ["expensive", "will_think", "no_need"]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_objections"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"result": "maybe"}, "invalid_choice"),
        ({"result": "thinking", "objections": ["unknown"]}, "unknown_objection"),
        ({"result": "thinking", "objections": "expensive"}, "not_a_list"),
        ({}, "required"),
    ],
)
def test_bad_result_input_is_400_with_a_code(in_call, targets, objections, payload, code):
    response = in_call.post(result_url(targets[0]), payload)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not ContactHistoryEntry.objects.exists()


def test_result_for_a_campaign_not_on_the_account_is_400(in_call, targets):
    other = CampaignTargetFactory()
    for url in (result_url(other), RECS_URL + "abc/result/"):
        response = in_call.post(url, {"result": "thinking"})
        assert response.status_code == 400
        assert response.json()["code"] == "not_on_account"


def test_not_eligible_result_is_409_with_reasons(in_call, account, targets):
    account.balance = -1
    account.save()
    response = in_call.post(result_url(targets[0]), {"result": "agreed"})
    assert response.status_code == 409
    assert response.json()["code"] == "not_eligible"
    assert response.json()["reasons"] == ["negative_balance"]


def test_idempotency_key_retry_returns_the_first_answer_and_writes_nothing_more(in_call, targets):
    headers = {"Idempotency-Key": "call-42-result-1"}
    first = in_call.post(result_url(targets[0]), {"result": "thinking"}, headers=headers)
    again = in_call.post(result_url(targets[0]), {"result": "thinking"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ContactHistoryEntry.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_the_key_stores_the_very_body_sent_encoded_once(in_call, targets):
    # The answer is encoded once (config.floor.api.renderers): the text stored is the body sent,
    # as DRF's renderer writes it; an answer asked indented is still indented.
    first = in_call.post(
        result_url(targets[0]), {"result": "thinking"}, headers={"Idempotency-Key": "once"}
    )
    assert first.status_code == 201
    assert first.content == JSONRenderer().render(first.data)
    assert IdempotencyKey.objects.get(key="once").response == json.loads(first.content)
    indented = in_call.post(
        result_url(targets[0]),
        {"result": "thinking"},
        headers={"Idempotency-Key": "indented", "Accept": "application/json; indent=2"},
    )
    assert indented.status_code == 201
    assert indented.content.startswith(b'{\n  "result": "thinking"')
    assert IdempotencyKey.objects.get(key="indented").response == json.loads(indented.content)


def test_a_refused_save_keeps_neither_its_key_nor_a_write_and_its_retry_lands(
    in_call, account, targets
):
    # The save runs inside the key's transaction without a savepoint: a refusal rolls back all.
    headers = {"Idempotency-Key": "refused-then-fixed"}
    account.balance = -1
    account.save()
    refused = in_call.post(result_url(targets[0]), {"result": "agreed"}, headers=headers)
    assert refused.status_code == 409
    assert not IdempotencyKey.objects.exists()
    assert not ContactHistoryEntry.objects.exists()
    account.balance = 500
    account.save()
    retried = in_call.post(result_url(targets[0]), {"result": "agreed"}, headers=headers)
    assert retried.status_code == 201, retried.json()
    assert ContactHistoryEntry.objects.count() == 2
    assert IdempotencyKey.objects.get().status_code == 201


def test_recording_a_result_runs_a_constant_number_of_queries(in_call, account, targets, call):
    def count(target, key):
        in_call.post(result_url(target), {"result": "thinking"})  # warm the catalogue copy
        with CaptureQueriesContext(connection) as ctx:
            response = in_call.post(
                result_url(target), {"result": "thinking"}, headers={"Idempotency-Key": key}
            )
        assert response.status_code == 201, response.json()
        return len(ctx)

    before = count(targets[0], "k1")
    offer = targets[0].campaign.offer
    for _ in range(4):
        # More campaigns of the product (more history entries), more products answered in the call.
        sibling = CampaignFactory(offer=offer, segments=list(targets[0].campaign.segments.all()))
        CampaignTargetFactory(campaign=sibling, account=account)
        other = CampaignTargetFactory(
            campaign=CampaignFactory(offer=OfferFactory(service=offer.service)), account=account
        )
        ContactHistoryEntryFactory(target=other, appeal=call)
        in_call.post(result_url(other), {"result": "not_interested"})
    assert count(targets[0], "k2") == before
    # PostgreSQL: one round trip for the key's claim, the account's lock and one prepared read of
    # all the save judges (drawing the new rows' ids), one for every write (the history, the
    # targets, the product's state, the appeal's theme, the callback closed and opened:
    # config.floor.batch) with the key's answer, and here (inside the test's transaction) the
    # savepoint and its release; a request of its own sends BEGIN and the writes and answer go
    # with its COMMIT (test_a_result_write_is_two_round_trips_after_begin). SQLite sends them one
    # by one.
    assert before == (4 if connection.vendor == "postgresql" else 21)


def test_idempotency_key_reused_for_another_request_is_409(in_call, targets, account):
    headers = {"Idempotency-Key": "k1"}
    in_call.post(result_url(targets[0]), {"result": "thinking"}, headers=headers)
    response = in_call.post("/api/v1/appeals/", {"account": account.number}, headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"


def test_agreement_leads_to_the_order_form_when_it_exists(in_call, targets):
    body = in_call.post(result_url(targets[0]), {"result": "agreed"}).json()
    assert body["result"] == ResultCode.AGREED
    # The order form arrives with the orders issue; until then no link is offered.
    assert body["order_url"] is None or body["order_url"].startswith("/orders/new/")


def test_supervisors_and_managers_cannot_record_results(api_client, targets):
    for user in (SupervisorFactory(), ManagerFactory()):
        api_client.force_authenticate(user)
        assert api_client.post(result_url(targets[0]), {"result": "thinking"}).status_code == 403


def test_crm_upserts_an_account_then_eligibility_reads_it(as_crm, broadband, targets):
    payload = {
        "surname": "Журавлев",
        "first_name": "Евгений",
        "patronymic": "Михайлович",
        "payment_model": "credit",
        "balance": "-10.00",
        "financial_block": True,
        "services": ["broadband"],
        "offers": [],
        "contact_phone": "+79161234568",
        "region": "Москва",
    }
    response = as_crm.put(ACCOUNT_URL, payload)
    assert response.status_code == 200, response.json()
    assert response.json()["crm_updated_at"]
    assert as_crm.get(RECS_URL).json()[0]["reasons"] == ["financial_block"]
    created = as_crm.put("/api/v1/accounts/352000000999/", payload)
    assert created.status_code == 201


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (
            {"surname": "A", "first_name": "B", "payment_model": "barter", "balance": "1"},
            "invalid_choice",
        ),
        ({"surname": "A", "first_name": "B", "payment_model": "credit", "balance": "x"}, "invalid"),
        (
            {
                "surname": "A",
                "first_name": "B",
                "payment_model": "credit",
                "balance": "1",
                "services": ["sat"],
            },
            "unknown_service",
        ),
    ],
)
def test_bad_account_upsert_is_400(as_crm, broadband, payload, code):
    response = as_crm.put("/api/v1/accounts/352000000999/", payload)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_agents_cannot_upsert_accounts(as_agent, account):
    response = as_agent.put(ACCOUNT_URL, {"surname": "X"})
    assert response.status_code == 403


def test_appeal_flow_open_flag_record_close(as_agent, account, targets):
    created = as_agent.post("/api/v1/appeals/", {"account": account.number})
    assert created.status_code == 201
    appeal_id = created.json()["id"]
    first = as_agent.get(RECS_URL).json()[0]
    assert first["reasons"] == ["question_unresolved"]
    patched = as_agent.patch(f"/api/v1/appeals/{appeal_id}/", {"question_resolved": True})
    assert patched.status_code == 200
    as_agent.post(result_url(targets[0]), {"result": "thinking", "appeal": appeal_id})
    appeal = as_agent.get(f"/api/v1/appeals/{appeal_id}/").json()
    assert appeal["theme"] == "upsell"
    assert len(appeal["history"]) == 2
    closed = as_agent.post(f"/api/v1/appeals/{appeal_id}/close/")
    assert closed.json()["closed_at"]


def test_agents_see_only_their_own_appeals(as_agent, account, agent):
    mine = AppealFactory(account=account, agent=agent)
    other = AppealFactory(account=account)
    ids = [a["id"] for a in as_agent.get("/api/v1/appeals/").json()["results"]]
    assert ids == [mine.pk]
    assert as_agent.get(f"/api/v1/appeals/{other.pk}/").status_code == 404


def test_supervisor_sees_the_appeals_of_their_teams(api_client, account, agent):
    supervisor = SupervisorFactory()
    agent.agent_profile.team.supervisors.add(supervisor)
    mine = AppealFactory(account=account, agent=agent)
    AppealFactory(account=account)
    api_client.force_authenticate(supervisor)
    ids = [a["id"] for a in api_client.get("/api/v1/appeals/").json()["results"]]
    assert ids == [mine.pk]


def test_appeal_for_unknown_account_is_404(as_agent, db):
    response = as_agent.post("/api/v1/appeals/", {"account": "352000000000"})
    assert response.status_code == 404
    assert Appeal.objects.count() == 0


def test_appeal_list_runs_a_constant_number_of_queries(as_agent, account, agent, targets):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert as_agent.get("/api/v1/appeals/").status_code == 200
        return len(ctx)

    AppealFactory(account=account, agent=agent)
    before = count()
    for _ in range(4):
        appeal = AppealFactory(account=account, agent=agent)
        ContactHistoryEntryFactory(target=targets[0], appeal=appeal)
    assert count() == before


@pytest.mark.parametrize(
    "moment",
    [
        None,
        datetime.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 23, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Vladivostok")),
        datetime.datetime(2026, 3, 1, 12, 0),
    ],
)
@pytest.mark.parametrize("zone", ["Europe/Moscow", "UTC"])
def test_card_times_are_written_as_drf_writes_them(moment, zone):
    with timezone.override(zone):
        assert serializers._moment(moment) == serializers._datetime.to_representation(moment)


@pytest.mark.parametrize(
    "body",
    [
        {"result": "thinking"},
        {
            "result": "agreed",
            "objections": [" expensive ", "no_need"],
            "comment": " Да ",
            "appeal": 5,
        },
        {"result": "not_offered", "need_heard": False, "appeal": None, "extra": 1},
        {"result": "thinking", "comment": "   "},
        {"result": "thinking", "comment": None},
        {"result": "thinking", "comment": "x" * 2001},
        {"result": "thinking", "comment": "a\x00b"},
        {"result": "thinking", "comment": "\ud800"},
        {"result": "thinking", "comment": 5},
        {"result": "maybe"},
        {"result": 1},
        {},
        {"result": "thinking", "objections": "expensive"},
        {"result": "thinking", "objections": None},
        {"result": "thinking", "objections": [""]},
        {"result": "thinking", "objections": ["x" * 41]},
        {"result": "thinking", "objections": [1]},
        {"result": "thinking", "appeal": "12"},
        {"result": "thinking", "appeal": True},
        {"result": "thinking", "need_heard": "true"},
        {"result": "thinking", "callback_at": "2026-12-03T10:00:00"},
        ["thinking"],
    ],
)
def test_the_result_input_checked_by_hand_is_what_the_serializer_gives(body):
    # The usual body is checked by hand (cheaper); anything else goes to the serializer: either way
    # the same values, or the same refusal.
    serializer = serializers.ResultInputSerializer(data=body)
    if serializer.is_valid():
        assert serializers.result_input(body) == dict(serializer.validated_data)
    else:
        with pytest.raises(ValidationError) as refused:
            serializers.result_input(body)
        assert refused.value.detail == serializer.errors
