"""An order obeys the same rules as the offer (issue 10 §2; issue 14: no duplicate sale, what was
sold is what is ordered): the agreement it stands on, the eligibility re-checked at registration,
one order per product, and the account holding what was connected.

Table of cases (registration of the antivirus, remote activation, on the demo account):

| situation at registration                    | answer                                          |
|----------------------------------------------|-------------------------------------------------|
| agreed in the open appeal                    | 201; no second agreement written                |
| thinking / nothing in the open appeal        | 201; the agreement recorded with it (R5 history)|
| no open appeal                               | 201; the order's own appeal «Продажи» holds it  |
| refused 3 days ago (cooldown)                | 201 (an agreement supersedes the cooldown)      |
| peak hours                                   | 201 (superseded too)                            |
| financial block / negative balance / no funds| 409 not_eligible [financial_block / …]          |
| outage in force                              | 409 not_eligible [outage]                       |
| question unresolved / not the user (appeal)  | 409 not_eligible [question_unresolved / …]      |
| already holds the product                    | 409 not_eligible [already_has]                  |
| an open or connected order of the product    | 409 duplicate_order                             |
| a cancelled order of the product             | 201                                             |
"""

import datetime
from decimal import Decimal

import pytest

from campaigns.models import (
    Appeal,
    AppealTheme,
    ConnectionOrder,
    ContactHistoryEntry,
    OfferResult,
    OrderStatus,
    PaymentModel,
    ResultCode,
    StatusSource,
)
from campaigns.orders import services
from campaigns.selectors import recommendations_for
from campaigns.services import recommendation_record_result
from config.floor.api.errors import status_for
from config.floor.errors import DomainError
from tests.campaigns.factories import AppealFactory, OutageFactory, PeakHoursFactory
from tests.campaigns.orders_support import future_slot

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def antivirus_order(**overrides) -> services.OrderInput:
    values = {
        "product": "kaspersky-2",
        "full_name": "Журавлев Евгений Михайлович",
        "contact_phone": "+7 916 123-45-68",
    }
    values.update(overrides)
    return services.OrderInput(**values)


def register(agent, account, **kwargs):
    return services.order_register(agent=agent, account=account, data=antivirus_order(), **kwargs)


def refused(agent, account, **kwargs):
    with pytest.raises(DomainError) as error:
        register(agent, account, **kwargs)
    assert status_for(error.value) == 409
    assert not ConnectionOrder.objects.exists()
    return error.value


@pytest.fixture
def world(account, targets, catalogue, agent):
    return account


def agreements(account):
    return list(
        ContactHistoryEntry.objects.filter(
            target__account=account, result=ResultCode.AGREED
        ).values_list("target_id", "appeal_id")
    )


def test_an_agreement_in_the_open_appeal_is_used_not_repeated(world, targets, agent, call):
    recommendation_record_result(
        account=world, target_id=targets[0].pk, result="agreed", agent=agent, comment="Берёт"
    )
    order = register(agent, world)
    assert order.appeal == call
    assert sorted(agreements(world)) == [(targets[0].pk, call.pk), (targets[1].pk, call.pk)]


@pytest.mark.parametrize("before", [None, "thinking", "not_interested"])
def test_without_an_agreement_the_order_records_it_with_its_history(
    world, targets, agent, call, antivirus, before
):
    if before:
        recommendation_record_result(
            account=world, target_id=targets[0].pk, result=before, agent=agent
        )
    order = register(agent, world)
    assert sorted(agreements(world)) == [(targets[0].pk, call.pk), (targets[1].pk, call.pk)]
    state = OfferResult.objects.get(account=world, offer=antivirus)
    assert (state.result, state.appeal_id) == (ResultCode.AGREED, call.pk)
    for target in targets:
        target.refresh_from_db()
        assert target.result == ResultCode.AGREED
    call.refresh_from_db()
    assert call.theme == AppealTheme.SALES  # a sale is not overwritten by the agreement
    assert order.appeal == call


def test_without_an_open_appeal_the_order_is_its_own_appeal_with_the_agreement(
    world, targets, agent, antivirus
):
    order = register(agent, world)
    appeal = Appeal.objects.get()
    assert (order.appeal, appeal.theme, appeal.question_resolved) == (
        appeal,
        AppealTheme.SALES,
        True,
    )
    assert OfferResult.objects.get(account=world, offer=antivirus).appeal == appeal


def test_a_product_without_a_campaign_gets_its_state_without_history(world, agent, catalogue):
    world.payment_model = PaymentModel.CREDIT
    world.save()
    order = services.order_register(
        agent=agent,
        account=world,
        data=antivirus_order(
            product="bb-100",
            connection_address="г. Москва, ул. Льва Толстого, д. 16, кв. 5",
            registration_address="г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
            passport_series="4512",
            passport_number="123456",
            passport_issued_on=datetime.date(2015, 6, 1),
            passport_issued_by="ОВД района Хамовники г. Москвы",
            technology="fttb",
            slot=future_slot().pk,
        ),
    )
    state = OfferResult.objects.get(account=world, offer=catalogue["fast"])
    assert (state.result, state.appeal) == (ResultCode.AGREED, order.appeal)


def test_an_agreement_supersedes_the_cooldown(world, targets, agent, call, antivirus):
    earlier = AppealFactory(account=world, agent=agent, question_resolved=True)
    recommendation_record_result(
        account=world, target_id=targets[0].pk, result="not_interested", agent=agent,
        appeal_id=earlier.pk,
    )  # fmt: skip
    earlier.closed_at = earlier.started_at
    earlier.save()
    assert recommendations_for(account=world, appeal=call)[0].reasons == ["cooldown"]
    assert register(agent, world).product == antivirus


def test_an_agreement_supersedes_peak_hours(world, agent, call):
    now = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)  # 15:00 in Moscow
    PeakHoursFactory(weekday=2, starts_at=datetime.time(14), ends_at=datetime.time(16))
    assert register(agent, world, now=now).status == OrderStatus.REGISTERED


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({"financial_block": True}, ["financial_block"]),
        ({"balance": Decimal("-0.01")}, ["negative_balance"]),
        ({"payment_model": PaymentModel.CREDIT, "balance": Decimal("-500")}, None),
    ],
)
def test_money_is_rechecked_at_registration_r2(world, agent, call, change, reasons):
    for name, value in change.items():
        setattr(world, name, value)
    world.save()
    if reasons is None:
        assert register(agent, world)
        return
    error = refused(agent, world)
    assert (error.code, error.extra) == ("not_eligible", {"reasons": reasons})


def test_insufficient_funds_for_the_first_charge_r2(world, agent, call, antivirus):
    antivirus.promo_days = 0
    antivirus.monthly_price = Decimal("9000")  # more than 224.55 ₽ even on a month's last day
    antivirus.save()
    world.balance = Decimal("224.55")
    world.save()
    error = refused(agent, world)
    assert error.extra == {"reasons": ["insufficient_funds"]}


def test_an_outage_in_force_stops_the_order_r9(world, agent, call):
    OutageFactory(starts_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert refused(agent, world).extra == {"reasons": ["outage"]}


@pytest.mark.parametrize(
    ("flags", "reasons"),
    [
        ({"question_resolved": False}, ["question_unresolved"]),
        ({"not_service_user": True}, ["not_service_user"]),
        ({"complaint": True, "negative_customer": True}, ["negative_customer", "complaint"]),
    ],
)
def test_the_calls_flags_stop_the_order_r1_r9(world, agent, call, flags, reasons):
    for name, value in flags.items():
        setattr(call, name, value)
    call.save()
    assert refused(agent, world).extra == {"reasons": reasons}


def test_every_reason_at_once(world, agent, call):
    world.financial_block = True
    world.save()
    call.question_resolved = False
    call.save()
    OutageFactory(starts_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert refused(agent, world).extra == {
        "reasons": ["outage", "question_unresolved", "financial_block"]
    }


def test_a_product_the_account_holds_is_not_ordered(world, agent, call, antivirus):
    world.offers.add(antivirus)
    assert refused(agent, world).extra == {"reasons": ["already_has"]}


@pytest.mark.parametrize(
    "status", [OrderStatus.REGISTERED, OrderStatus.SENT, OrderStatus.CONNECTED]
)
def test_no_duplicate_sale_while_an_order_is_open_or_connected(world, agent, call, status):
    first = register(agent, world)
    if status != OrderStatus.REGISTERED:
        services.order_set_status(order=first, status=status, source=StatusSource.FULFILMENT)
    world.offers.clear()  # even when the CRM has not reported the connection yet
    with pytest.raises(DomainError) as error:
        register(agent, world)
    assert (error.value.code, error.value.extra) == ("duplicate_order", {"order": first.pk})
    assert ConnectionOrder.objects.count() == 1


def test_a_cancelled_order_does_not_stop_a_new_one(world, agent, call):
    first = register(agent, world)
    services.order_cancel(order=first, agent=agent, reason="Клиент передумал")
    assert register(agent, world).pk != first.pk


class TestWhatWasSoldIsWhatTheAccountHolds:
    def test_a_connected_product_and_its_extras_are_held_and_no_longer_offered(
        self, world, targets, agent, call, antivirus
    ):
        order = register(agent, world)
        services.order_set_status(
            order=order, status=OrderStatus.CONNECTED, source=StatusSource.FULFILMENT
        )
        assert antivirus in world.offers.all()
        recs = recommendations_for(account=world, appeal=call)
        assert all("already_has" in rec.reasons for rec in recs)

    def test_a_cancelled_connection_is_no_longer_held(self, world, agent, call, antivirus):
        order = register(agent, world)
        services.order_set_status(
            order=order, status=OrderStatus.CONNECTED, source=StatusSource.FULFILMENT
        )
        services.order_cancel(order=order, agent=agent, reason="Отключил через неделю")
        assert antivirus not in world.offers.all()

    def test_a_new_service_joins_the_account_and_a_tariff_move_replaces_the_plan(
        self, world, agent, catalogue, broadband
    ):
        world.payment_model = PaymentModel.CREDIT
        world.save()
        world.offers.add(catalogue["slow"])
        order = services.order_register(
            agent=agent,
            account=world,
            data=antivirus_order(
                product="bb-100",
                connection_address="г. Москва, ул. Льва Толстого, д. 16, кв. 5",
                registration_address="г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
                passport_series="4512",
                passport_number="123456",
                passport_issued_on=datetime.date(2015, 6, 1),
                passport_issued_by="ОВД района Хамовники г. Москвы",
                technology="fttb",
                extras=["iptv-kino"],
                slot=future_slot().pk,
            ),
        )
        assert order.previous_tariff == catalogue["slow"]
        services.order_set_status(
            order=order, status=OrderStatus.CONNECTED, source=StatusSource.FULFILMENT
        )
        held = set(world.offers.values_list("code", flat=True))
        assert held == {"bb-100", "iptv-kino"}
        services.order_cancel(order=order, agent=agent, reason="Вернули прежний тариф")
        assert set(world.offers.values_list("code", flat=True)) == {"adsl-8"}


class TestTheApiAndThePage:
    def test_the_api_answers_409_with_the_reasons(self, api, world, call):
        world.financial_block = True
        world.save()
        body = {"account": world.number, "product": "kaspersky-2"}
        body |= {"full_name": "Журавлев Евгений Михайлович", "contact_phone": "+79161234568"}
        response = api.post("/api/v1/orders/", body, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "not_eligible"
        assert response.json()["reasons"] == ["financial_block"]

    def test_back_after_registering_warns_and_a_stale_form_cannot_register_again(
        self, client, world, campaigns, agent, call
    ):
        client.force_login(agent)
        url = f"/orders/new/?account={world.number}&campaign={campaigns[0].code}"
        form = {
            "account": world.number,
            "campaign": campaigns[0].code,
            "product": "kaspersky-2",
            "full_name": "Журавлев Евгений Михайлович",
            "contact_phone": "+7 916 123-45-68",
            "sales_channel": "26-mc-ntt",
        }
        first = client.post("/orders/new/", form | {"idempotency_key": "a" * 32})
        assert first.status_code == 302, first.content.decode()[:2000]
        page = client.get(url).content.decode()  # Back: the form again, with a fresh key
        assert "already has an order" in page or "уже есть наряд" in page
        again = client.post("/orders/new/", form | {"idempotency_key": "b" * 32})
        assert again.status_code == 200
        assert ConnectionOrder.objects.count() == 1
