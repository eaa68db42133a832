"""The reward engine: each rule kind to the kopeck, precedence, validity periods and clawbacks."""

import datetime
from decimal import Decimal

import pytest

from offers.models import OfferKind, ServiceCode
from rewards import selectors
from rewards.engine import Engine
from tests.campaigns.factories import SubscriberAccountFactory
from tests.rewards.support import (
    NOV,
    OCT,
    agent,
    arpu_rule,
    fixed_rule,
    offer,
    order,
    tiered_rule,
)

pytestmark = pytest.mark.django_db


def month_row(user, month):
    (row,) = selectors.agent_month_rows(month, agent_ids=[user.pk])
    return row


def test_fixed_rule_pays_its_amount_for_each_connected_order_to_the_kopeck():
    disney = offer("249", kind=OfferKind.SUBSCRIPTION, service_code=ServiceCode.IPTV)
    fixed_rule("87.50", [disney])
    user = agent()
    order(user, disney, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 4))
    order(user, disney, created=datetime.date(2025, 11, 5), connected=datetime.date(2025, 11, 6))
    row = month_row(user, NOV)
    assert row.reward_earned == Decimal("175.00")
    assert row.reward_total == Decimal("175.00")
    assert (row.orders, row.connected) == (2, 2)


def test_an_offer_in_two_fixed_rules_earns_both():
    bundle = offer("238", kind=OfferKind.SUBSCRIPTION)
    fixed_rule("15", [bundle, offer("139")], name="Kaspersky")
    fixed_rule("15", [bundle, offer("99")], name="Safe Kids")
    user = agent()
    order(user, bundle, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 4))
    assert month_row(user, NOV).reward_total == Decimal("30.00")


@pytest.mark.parametrize(
    ("price", "reward"),
    [
        ("139", "104.25"),
        ("550", "412.50"),
        ("99.99", "74.99"),
        ("0.10", "0.08"),
        ("333.33", "250.00"),
    ],
)
def test_share_of_arpu_is_three_quarters_of_the_new_services_fee_rounded_half_up(price, reward):
    arpu_rule("0.75")
    internet = offer(price, kind=OfferKind.SERVICE)
    user = agent()
    order(user, internet, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 4))
    assert month_row(user, NOV).reward_total == Decimal(reward)


def test_share_of_arpu_does_not_pay_when_the_account_already_had_the_service():
    arpu_rule("0.75")
    old = offer("450", kind=OfferKind.TARIFF)
    new = offer("890", kind=OfferKind.TARIFF)
    account = SubscriberAccountFactory(offers=[old])
    user = agent()
    order(
        user,
        new,
        account=account,
        created=datetime.date(2025, 11, 3),
        connected=datetime.date(2025, 11, 4),
    )
    assert month_row(user, NOV).reward_total == Decimal("0.00")


@pytest.mark.parametrize(
    ("old_fee", "new_fee", "reward"),
    [("450", "530", "15.00"), ("450", "549.99", "15.00"), ("450", "550", "50.00"),
     ("450", "750", "100.00"), ("530", "750", "50.00"), ("750", "450", "0.00"), ("450", "450", "0.00")],
)  # fmt: skip
def test_tiered_rule_pays_the_band_of_the_monthly_fee_increase(old_fee, new_fee, reward):
    old = offer(old_fee, kind=OfferKind.TARIFF)
    new = offer(new_fee, kind=OfferKind.TARIFF)
    tiered_rule([new])
    arpu_rule("0.75")  # a move is not a new service: no share of ARPU either
    account = SubscriberAccountFactory(offers=[old, new])
    user = agent()
    order(
        user,
        new,
        account=account,
        created=datetime.date(2025, 11, 3),
        connected=datetime.date(2025, 11, 4),
    )
    assert month_row(user, NOV).reward_total == Decimal(reward)


def test_a_tiered_tariff_bought_as_a_new_service_earns_the_share_of_arpu():
    new = offer("530", kind=OfferKind.TARIFF)
    tiered_rule([new])
    arpu_rule("0.75")
    user = agent()
    order(user, new, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 4))
    assert month_row(user, NOV).reward_total == Decimal("397.50")


def test_fixed_rule_wins_over_tiered_and_arpu_for_the_same_offer():
    igrovoy = offer("900", kind=OfferKind.TARIFF)
    fixed_rule("150", [igrovoy])
    tiered_rule([igrovoy])
    arpu_rule("0.75")
    user = agent()
    order(user, igrovoy, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 4))
    assert month_row(user, NOV).reward_total == Decimal("150.00")


def test_the_rule_valid_on_the_day_of_connection_applies():
    kino = offer("299", kind=OfferKind.PACKAGE)
    fixed_rule("40", [kino], valid_to=datetime.date(2025, 10, 31), code="kino")
    fixed_rule("55", [kino], valid_from=datetime.date(2025, 11, 1), code="kino")
    user = agent()
    # Registered in October, connected in November: November's rule, November's reward.
    order(user, kino, created=datetime.date(2025, 10, 30), connected=datetime.date(2025, 11, 2))
    order(user, kino, created=datetime.date(2025, 10, 1), connected=datetime.date(2025, 10, 31))
    assert month_row(user, OCT).reward_total == Decimal("40.00")
    assert month_row(user, NOV).reward_total == Decimal("55.00")
    assert month_row(user, OCT).orders == 2
    assert month_row(user, NOV).orders == 0


def test_a_clawback_comes_off_the_month_of_the_cancellation():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    user = agent()
    order(
        user,
        vip,
        created=datetime.date(2025, 10, 20),
        connected=datetime.date(2025, 10, 25),
        cancelled=datetime.date(2025, 11, 10),
        clawback=True,
    )
    october, november = month_row(user, OCT), month_row(user, NOV)
    assert (october.reward_total, october.connected, october.orders) == (Decimal("75.00"), 1, 0)
    assert november.reward_clawed_back == Decimal("75.00")
    assert november.reward_total == Decimal("-75.00")
    assert (november.cancelled, november.clawbacks) == (1, 1)


def test_a_cancellation_outside_the_window_keeps_the_reward():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    user = agent()
    order(
        user,
        vip,
        created=datetime.date(2025, 10, 1),
        connected=datetime.date(2025, 10, 2),
        cancelled=datetime.date(2025, 11, 20),
        clawback=False,
    )
    assert month_row(user, NOV).reward_total == Decimal("0.00")
    assert month_row(user, NOV).cancelled == 1


def test_pending_orders_show_what_they_would_earn_and_count_toward_the_target():
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    user = agent()
    order(user, vip, created=datetime.date(2025, 11, 3))
    order(user, vip, created=datetime.date(2025, 11, 4), cancelled=datetime.date(2025, 11, 5))
    row = month_row(user, NOV)
    assert (row.orders, row.reward_pending, row.reward_total, row.cancelled) == (
        1,
        Decimal("75.00"),
        Decimal("0.00"),
        1,
    )


def test_statement_lines_add_up_to_the_job_figures():
    vip = offer("399", kind=OfferKind.PACKAGE)
    bundle = offer("238", kind=OfferKind.SUBSCRIPTION)
    fixed_rule("75", [vip])
    fixed_rule("15", [bundle])
    fixed_rule("15", [bundle])
    arpu_rule("0.75")
    internet = offer("550", kind=OfferKind.SERVICE)
    user = agent()
    order(user, vip, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 5))
    order(user, bundle, created=datetime.date(2025, 11, 3), connected=datetime.date(2025, 11, 5))
    order(user, internet, created=datetime.date(2025, 11, 6))
    order(
        user,
        vip,
        created=datetime.date(2025, 10, 3),
        connected=datetime.date(2025, 10, 5),
        cancelled=datetime.date(2025, 11, 7),
        clawback=True,
    )
    engine = Engine.load()
    row = month_row(user, NOV)
    statement = selectors.statements(NOV, agent_ids=[user.pk], engine=engine)[user.pk]
    assert statement.earned == row.reward_earned == Decimal("105.00")
    assert statement.clawed_back == row.reward_clawed_back == Decimal("75.00")
    assert statement.total == row.reward_total == Decimal("30.00")
    assert statement.pending == row.reward_pending == Decimal("412.50")
    assert len(statement.lines) == 5
