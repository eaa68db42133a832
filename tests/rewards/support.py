"""Shared set-up for the rewards tests: orders on given days, rules of each kind, results."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from campaigns.models import InstallerSlot, OrderStatus, OrderStatusChange, StatusSource
from offers.models import OfferKind, ServiceCode
from rewards.models import RewardKind
from tests.campaigns.factories import (
    AgentProfileFactory,
    ConnectionOrderFactory,
    ContactHistoryEntryFactory,
    InstallerSlotFactory,
    SalesChannelFactory,
)
from tests.config.factories import SupervisorFactory
from tests.offers.factories import OfferFactory, ServiceFactory, TechnologyFactory
from tests.rewards.factories import RewardBandFactory, RewardRuleFactory

MSK = ZoneInfo("Europe/Moscow")
OCT = datetime.date(2025, 10, 1)
NOV = datetime.date(2025, 11, 1)


def at(day: datetime.date, hour=12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=MSK)


def service(code=ServiceCode.BROADBAND):
    return ServiceFactory(code=code)


def offer(price, *, kind=OfferKind.OPTION, code=None, service_code=ServiceCode.BROADBAND):
    extra = {"code": code} if code else {}
    return OfferFactory(
        monthly_price=Decimal(price), kind=kind, service=service(service_code), **extra
    )


def fixed_rule(amount, offers, *, valid_from=datetime.date(2019, 1, 1), valid_to=None, **kw):
    return RewardRuleFactory(
        kind=RewardKind.FIXED,
        amount=Decimal(amount),
        offers=offers,
        valid_from=valid_from,
        valid_to=valid_to,
        service=service(),
        **kw,
    )


def arpu_rule(share="0.75", *, service_code=ServiceCode.BROADBAND, **kw):
    return RewardRuleFactory(
        kind=RewardKind.ARPU_SHARE,
        amount=None,
        arpu_share=Decimal(share),
        service=service(service_code),
        **kw,
    )


def tiered_rule(offers, bands=(("0", "100", "15"), ("100", "300", "50"), ("300", None, "100"))):
    rule = RewardRuleFactory(kind=RewardKind.TIERED, amount=None, offers=offers, service=service())
    for low, high, amount in bands:
        RewardBandFactory(
            rule=rule,
            min_increase=Decimal(low),
            max_increase=Decimal(high) if high else None,
            amount=Decimal(amount),
        )
    return rule


def agent(team=None, *, started_on=datetime.date(2024, 1, 15), username=None):
    kwargs = {"team": team} if team else {}
    if username:
        kwargs["user__username"] = username
    return AgentProfileFactory(started_on=started_on, **kwargs).user


def supervisor_of(*teams, username="supervisor"):
    user = SupervisorFactory(username=username)
    for team in teams:
        team.supervisors.add(user)
    return user


def _shared_rows():
    """One technology, channel and slot for every order (the rewards never read them)."""
    slot = InstallerSlot.objects.order_by("pk").first() or InstallerSlotFactory(capacity=1000)
    return {
        "technology": TechnologyFactory(code="tech-rewards"),
        "sales_channel": SalesChannelFactory(code="channel-rewards"),
        "slot": slot,
    }


def order(
    agent_user,
    product,
    *,
    created,
    connected=None,
    cancelled=None,
    clawback=False,
    account=None,
    campaign=None,
    tariff=None,
):
    """An order registered on `created` (a date), connected and/or cancelled on the dates given."""
    status = OrderStatus.REGISTERED
    if connected:
        status = OrderStatus.CONNECTED
    if cancelled:
        status = OrderStatus.CANCELLED
    kwargs = {"account": account} if account else {}
    placed = ConnectionOrderFactory(
        agent=agent_user,
        product=product,
        tariff=tariff or product or offer("450", kind=OfferKind.TARIFF),
        service=service(),
        campaign=campaign,
        status=status,
        created_at=at(created, 10),
        sent_at=at(created, 11),
        connected_at=at(connected) if connected else None,
        cancelled_at=at(cancelled, 15) if cancelled else None,
        cancel_reason="Клиент передумал" if cancelled else "",
        clawback=clawback,
        **_shared_rows(),
        **kwargs,
    )
    status_history(placed)
    return placed


def status_history(placed) -> None:
    """The status changes an order made on its way to where it is (what `audit_month` checks)."""
    steps = [(OrderStatus.REGISTERED, placed.created_at)]
    if placed.sent_at and (placed.status != OrderStatus.REGISTERED):
        steps.append((OrderStatus.SENT, placed.sent_at))
    if placed.connected_at:
        steps.append((OrderStatus.CONNECTED, placed.connected_at))
    if placed.cancelled_at:
        steps.append((OrderStatus.CANCELLED, placed.cancelled_at))
    OrderStatusChange.objects.bulk_create(
        OrderStatusChange(order=placed, status=status, source=StatusSource.SYSTEM, changed_at=when)
        for status, when in steps
    )


def history(agent_user, target, result, day):
    return ContactHistoryEntryFactory(
        agent=agent_user, target=target, result=result, created_at=at(day)
    )
