"""`/api/v1/orders/`: registering an order, idempotency, the response shape, the schema."""

import pytest

from campaigns.models import (
    Appeal,
    AppealTheme,
    ConnectionOrder,
    OrderOutboxMessage,
    OrderStatus,
    OutboxState,
)
from campaigns.orders import services
from tests.campaigns.factories import (
    AppealFactory,
    ConnectionOrderFactory,
    OrderStatusChangeFactory,
)
from tests.campaigns.orders_support import form_data, leaked

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db


def test_registering_an_order_records_the_sales_appeal_and_hands_it_over(
    api,
    account,
    campaigns,
    catalogue,
    slot,
    standin,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    appeal = AppealFactory(account=account, agent=api.handler._force_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/orders/",
            form_data(account, slot, campaign=campaigns[0].code, product="", appeal=appeal.pk),
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    order = ConnectionOrder.objects.get(pk=body["id"])
    # The answer is written before the commit; the hand-off runs right after it.
    assert body["status"] == OrderStatus.REGISTERED
    assert body["product"]["code"] == "kaspersky-2"
    assert body["sales_channel"]["name"] == "26 Обслуживание МЦ НТТ"
    after = api.get(f"/api/v1/orders/{order.pk}/").json()
    assert after["status"] == OrderStatus.SENT
    assert [h["status"] for h in after["history"]] == ["registered", "sent"]
    order.refresh_from_db()
    # The antivirus is activated remotely (R14): a remote-activation task, no visit, no passport.
    assert order.external_id == "ACT-1"
    assert (body["kind"], body["slot"], body["technology"], body["tariff"]) == (
        "activation",
        None,
        None,
        None,
    )
    appeal.refresh_from_db()
    assert appeal.theme == AppealTheme.SALES
    assert appeal.detail == services.appeal_detail(order)
    assert "Антивирус" in appeal.detail
    assert appeal.result == str(services.APPEAL_RESULT)
    assert standin.orders_received() == [str(order.reference)]
    payload = next(iter(standin.accepted.values()))["payload"]
    assert payload["kind"] == "activation"
    assert payload["product"] == {"code": "kaspersky-2", "kind": "subscription"}
    assert payload["customer"]["passport"] is None
    assert (payload["installer_visit"], payload["equipment"]) == (None, [])
    assert OrderOutboxMessage.objects.get().state == OutboxState.DELIVERED


def test_without_an_appeal_registering_opens_one_with_theme_sales(api, account, catalogue, slot):
    response = api.post("/api/v1/orders/", form_data(account, slot), format="json")
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert appeal.theme == AppealTheme.SALES
    assert appeal.result == str(services.APPEAL_RESULT)
    assert ConnectionOrder.objects.get().appeal == appeal


def test_response_masks_every_personal_value(api, account, catalogue, slot):
    response = api.post("/api/v1/orders/", form_data(account, slot), format="json")
    assert response.status_code == 201
    assert leaked(response.content.decode()) == []
    body = response.json()
    assert body["contact_phone"] == "+7 ••• •••-••-68"
    assert body["passport"]["number"] == "••••56"
    assert body["connection_address"] == "г. Москва, •••"


def test_an_idempotency_key_retry_returns_the_first_answer_and_registers_once(
    api, account, catalogue, slot
):
    first = api.post(
        "/api/v1/orders/",
        form_data(account, slot),
        format="json",
        headers={"Idempotency-Key": "k1"},
    )
    again = api.post(
        "/api/v1/orders/",
        form_data(account, slot),
        format="json",
        headers={"Idempotency-Key": "k1"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert ConnectionOrder.objects.count() == 1


def test_invalid_input_gives_field_errors_with_codes_never_a_500(api, account, catalogue, slot):
    response = api.post(
        "/api/v1/orders/",
        form_data(account, slot, contact_phone="123", passport_series="45", tariff="adsl-8"),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) >= {"contact_phone", "passport_series", "tariff"}
    assert body["code"] in {"invalid_phone", "invalid_passport_series", "invalid_tariff"}
    assert ConnectionOrder.objects.count() == 0


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [("12345", 400, "invalid_account_number"), ("999999999999", 404, "account_not_found")],
)
def test_bad_account_numbers(api, catalogue, slot, account, number, status, code):
    response = api.post("/api/v1/orders/", {**form_data(account, slot), "account": number})
    assert response.status_code == status
    assert response.json()["code"] == code


def test_garbage_types_are_a_400(api, account, catalogue, slot):
    response = api.post(
        "/api/v1/orders/",
        form_data(account, slot, slot="tomorrow", passport_issued_on="yesterday"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"slot", "passport_issued_on"}


def test_list_has_a_constant_number_of_queries(api, agent, catalogue, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            order = ConnectionOrderFactory(agent=agent, tariff=catalogue["fast"])
            order.equipment.set([catalogue["router"]])
            OrderStatusChangeFactory(order=order)

    add(2)
    api.get("/api/v1/orders/")  # the user's roles are read once and kept
    with django_assert_num_queries(5) as few:
        assert api.get("/api/v1/orders/").status_code == 200
    add(10)
    with django_assert_num_queries(len(few.captured_queries)):
        response = api.get("/api/v1/orders/")
    assert response.json()["count"] == 12


def test_the_order_endpoints_are_in_the_schema(api_client, manager):
    api_client.force_authenticate(manager)
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/orders/"])
    assert "get" in paths["/api/v1/orders/{id}/"]
    reveal = paths["/api/v1/orders/{id}/reveal/"]["post"]
    assert {"200", "400", "403", "404"} <= set(reveal["responses"])
    assert "post" in paths["/api/v1/orders/{id}/status/"]
