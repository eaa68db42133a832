"""What an order replaces is recorded when it is registered, and the engine reads only that: a CRM
swap of the account's plan or a later catalogue price change does not rewrite a reward."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from campaigns.models import ConnectionOrder, OrderStatus, StatusSource
from campaigns.orders import services
from offers.models import OfferKind, ServiceCode
from tests.campaigns.factories import SubscriberAccountFactory
from tests.rewards.support import NOV, agent, arpu_rule, offer, order, service, tiered_rule
from tests.rewards.test_engine import month_row

pytest_plugins = ["tests.campaigns.orders_fixtures"]
pytestmark = pytest.mark.django_db

backfill = importlib.import_module(
    "campaigns.migrations.0006_order_previous_tariff"
).backfill_previous_tariff


@pytest.fixture
def broadband(db):
    return service(ServiceCode.BROADBAND)


@pytest.fixture
def iptv(db):
    return service(ServiceCode.IPTV)


def funded_account(**fields):
    """An account whose balance pays any first charge: R2 is re-checked at registration, and the
    factory's 224.55 ₽ do not pay a tariff's early in a month (these tests are about the plan
    recorded, whatever the date)."""
    return SubscriberAccountFactory(balance=Decimal("5000.00"), **fields)


def register(agent_user, account, slot, *, tariff="bb-100"):
    data = services.OrderInput(
        product=tariff,
        full_name="Журавлев Евгений Михайлович",
        contact_phone="+7 916 123-45-68",
        connection_address="г. Москва, ул. Льва Толстого, д. 16, кв. 5",
        registration_address="г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
        passport_series="4512",
        passport_number="123456",
        passport_issued_on=datetime.date(2015, 6, 1),
        passport_issued_by="ОВД района Хамовники г. Москвы",
        technology="fttb",
        service="broadband",
        tariff=tariff,
        slot=slot.pk,
    )
    return services.order_register(agent=agent_user, account=account, data=data)


def connect(order_):
    return services.order_set_status(
        order=order_, status=OrderStatus.CONNECTED, source=StatusSource.FULFILMENT
    )


def test_registration_records_the_dearest_plan_of_the_service_held_and_its_fee(catalogue, slot):
    cheap = offer("250", kind=OfferKind.TARIFF)
    account = funded_account(
        offers=[cheap, catalogue["slow"], catalogue["iptv_tariff"], catalogue["kino"]]
    )
    order_ = register(agent(), account, slot)
    assert order_.previous_tariff == catalogue["slow"]
    assert order_.previous_monthly_fee == Decimal("300.00")


def test_registration_of_a_new_service_records_no_previous_plan(catalogue, slot):
    account = funded_account(offers=[catalogue["iptv_tariff"]])
    order_ = register(agent(), account, slot)
    assert order_.previous_tariff is None
    assert order_.previous_monthly_fee is None


def test_a_tariff_move_swapped_by_the_crm_before_the_job_still_earns_the_tiered_reward(
    catalogue, slot
):
    fast, slow = catalogue["fast"], catalogue["slow"]  # 450 ₽ and 300 ₽
    tiered_rule([fast])
    arpu_rule("0.75")
    account = funded_account(offers=[slow])
    user = agent()
    order_ = register(user, account, slot)
    # The CRM has moved the account to the new plan, and the old plan's fee went up since.
    account.offers.set([fast])
    slow.monthly_price = Decimal("420.00")
    slow.save()
    connect(order_)
    month = timezone.localdate().replace(day=1)
    # The rise is 450 − 300 = 150 ₽ (band 100–300 ₽ → 50 ₽), not a new service (337.50 ₽) nor a
    # rise of 450 − 420 = 30 ₽ (15 ₽).
    assert month_row(user, month).reward_total == Decimal("50.00")


@pytest.mark.parametrize(
    ("frozen_fee", "reward"),
    [
        ("430.01", "15.00"),
        ("430", "50.00"),
        ("230.01", "50.00"),
        ("230", "100.00"),
        ("150", "100.00"),
        ("530", "0.00"),
    ],
)
def test_the_band_is_chosen_by_the_frozen_fee_difference(frozen_fee, reward):
    old = offer("300", kind=OfferKind.TARIFF)
    new = offer("530", kind=OfferKind.TARIFF)
    tiered_rule([new])
    arpu_rule("0.75")
    user = agent()
    created = order(
        user, new, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 4)
    )
    ConnectionOrder.objects.filter(pk=created.pk).update(
        previous_tariff=old, previous_monthly_fee=Decimal(frozen_fee)
    )
    # Today's fee of the old plan (300 ₽, a rise of 230 ₽ → 50 ₽) plays no part.
    assert month_row(user, NOV).reward_total == Decimal(reward)


def test_an_account_holding_the_plan_now_but_not_at_registration_earns_the_share_of_arpu():
    new = offer("530", kind=OfferKind.TARIFF)
    old = offer("450", kind=OfferKind.TARIFF)
    tiered_rule([new])
    arpu_rule("0.75")
    user = agent()
    account = funded_account()
    order(
        user,
        new,
        account=account,
        created=datetime.date(2025, 11, 3),
        connected=datetime.date(2025, 11, 4),
    )
    account.offers.set([old])  # taken after the order: not what the order replaced
    assert month_row(user, NOV).reward_total == Decimal("397.50")


def test_an_option_of_a_service_held_earns_neither_the_band_nor_the_share_of_arpu():
    arpu_rule("0.75")
    old = offer("450", kind=OfferKind.TARIFF)
    speed = offer("99", kind=OfferKind.OPTION)
    tiered_rule([speed])  # even listed in a tiered rule, an option costs less than the plan
    account = funded_account(offers=[old])
    user = agent()
    created = order(
        user,
        speed,
        account=account,
        created=datetime.date(2025, 11, 3),
        connected=datetime.date(2025, 11, 4),
    )
    assert (created.previous_tariff, created.previous_monthly_fee) == (old, Decimal("450"))
    assert month_row(user, NOV).reward_total == Decimal("0.00")


def test_the_backfill_takes_the_plan_from_the_account_and_the_fee_of_the_day_of_registration():
    old = offer("300", kind=OfferKind.TARIFF)
    dearer = offer("320", kind=OfferKind.SERVICE)
    tv = offer("200", kind=OfferKind.TARIFF, service_code=ServiceCode.IPTV)
    new = offer("530", kind=OfferKind.TARIFF)
    registered = timezone.now()
    dearer.monthly_price = Decimal("380.00")  # a price change after the order was registered
    dearer.save()
    user = agent()
    account = funded_account(offers=[old, dearer, tv, new])
    move = order(user, new, account=account, created=datetime.date(2025, 11, 3))
    fresh = order(user, new, created=datetime.date(2025, 11, 3))
    recorded = order(user, new, account=account, created=datetime.date(2025, 11, 3))
    ConnectionOrder.objects.filter(pk__in=[move.pk, fresh.pk]).update(
        previous_tariff=None, previous_monthly_fee=None, created_at=registered
    )
    ConnectionOrder.objects.filter(pk=recorded.pk).update(previous_monthly_fee=Decimal("310"))
    backfill(apps, None)
    for created in (move, fresh, recorded):
        created.refresh_from_db()
    assert (move.previous_tariff, move.previous_monthly_fee) == (dearer, Decimal("320.00"))
    assert (fresh.previous_tariff, fresh.previous_monthly_fee) == (None, None)
    # What was recorded stays as it was.
    assert (recorded.previous_tariff, recorded.previous_monthly_fee) == (dearer, Decimal("310.00"))
