"""Connection orders: technologies, sales channels, installer slots and a believable running month.

Every agent gets orders in the previous and the current month: most of last month's connected,
this month's registered, sent or connected; the demo agent «agent» has one cancelled. Each demo
order has a fixed reference (a UUID derived from agent, month and number), so a re-run finds it
and writes nothing; the passport data is generated and encrypted like a real order's.

An order's registration is written as history (the row, its first status and its hand-off as it
went): `order_register` would hand these past orders to the fulfilment system and book installer
visits in the past. Every later step (sent, connected, cancelled) goes through the lifecycle
service with the moment it happened, so the demo obeys the transitions and the clawback rule as
users do.
"""

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from campaigns import personal_data
from campaigns.models import (
    AgentProfile,
    Campaign,
    ConnectionOrder,
    InstallerSlot,
    OrderKind,
    OrderOutboxMessage,
    OrderStatus,
    OrderStatusChange,
    OutboxKind,
    OutboxState,
    SalesChannel,
    StatusSource,
    SubscriberAccount,
)
from campaigns.orders.models import order_kind_of
from campaigns.orders.services import installer_slots_open, order_set_status, previous_fields
from config.floor import roles
from config.floor.seeding import SeedContext, Tally, set_m2m, upsert
from offers.models import Offer, OfferKind, Service, Technology

NAMESPACE = uuid.UUID("4f1f6f0e-6c1b-4d0e-9d5e-2b7f3c0a9a11")
DEMO_AGENT = "agent"
FULFILMENT_LOGIN = "fulfilment"

TECHNOLOGIES = [
    ("fttb", "FTTB (оптика в дом)", ("broadband", "iptv", "phone")),
    ("gpon", "GPON (оптика в квартиру)", ("broadband", "iptv", "phone")),
    ("xdsl", "xDSL (телефонная линия)", ("broadband", "phone")),
]
# Tariffs that need fibre (more than 100 Mbit/s) do not go over xDSL.
XDSL_MAX_SPEED = 100
CHANNELS = [
    ("26-mc-ntt", "26 Обслуживание МЦ НТТ", True),
    ("12-inbound", "12 Входящая линия КЦ", False),
    ("31-outbound", "31 Исходящий обзвон", False),
]
# The products agents sold (rewarded ones of the deck) and the plan each goes with.
PRODUCTS = [
    ("kaspersky-2", "bb-bazovy-100"),
    ("kaspersky-safe-kids", "bb-bazovy-100"),
    ("bb-igrovoy", "bb-igrovoy"),
    ("bb-uskorenie", "bb-optimalny-300"),
    ("video-surveillance", "bb-optimalny-300"),
    ("iptv-kino", "iptv-basic"),
    ("iptv-amediateka", "iptv-basic"),
    ("iptv-disney", "iptv-basic"),
    ("iptv-view-control", "iptv-basic"),
    ("phone-tvoya-strana-500", "phone-bezlimitnaya-rossiya"),
    # Moves to a dearer broadband plan (the tiered reward) or, without broadband, a new service.
    ("bb-optimalny-300", "bb-optimalny-300"),
    ("bb-maksimalny-500", "bb-maksimalny-500"),
]
STREETS = ["ул. Ленина", "ул. Гагарина", "пр. Мира", "ул. Садовая", "ул. Лесная", "ул. Школьная"]
ISSUERS = ["ОВД района Хамовники г. Москвы", "ТП УФМС России по г. Москве", "ОУФМС района Южное"]


def _catalogue(tally) -> dict:
    services = {s.code: s for s in Service.objects.all()}
    plans = Offer.objects.filter(
        kind__in=[OfferKind.TARIFF, OfferKind.SERVICE, OfferKind.EQUIPMENT]
    )
    technologies = {}
    for code, name, service_codes in TECHNOLOGIES:
        tech = upsert(
            Technology, lookup={"code": code}, values={"name": name, "is_active": True}, tally=tally
        )
        set_m2m(tech, "services", [services[c] for c in service_codes if c in services])
        fits = [
            o
            for o in plans
            if o.service.code in service_codes
            and not (code == "xdsl" and (o.speed_mbps or 0) > XDSL_MAX_SPEED)
        ]
        set_m2m(tech, "offers", fits)
        technologies[code] = tech
    channels = {}
    for code, name, _is_default in CHANNELS:
        channels[code] = upsert(
            SalesChannel,
            lookup={"code": code},
            values={"name": name, "is_active": True},
            tally=tally,
        )
    if not SalesChannel.objects.filter(is_default=True).exists():
        SalesChannel.objects.filter(code=CHANNELS[0][0]).update(is_default=True)
    return {"technologies": technologies, "channels": channels}


def _fulfilment_login(tally) -> None:
    """The fulfilment system's service login (API token only) that posts status changes back."""
    user, created = get_user_model().objects.get_or_create(
        username=FULFILMENT_LOGIN, defaults={"first_name": "Fulfilment", "last_name": "ДК"}
    )
    if created:
        user.set_unusable_password()
        user.save()
        tally.add("users created")
    set_m2m(user, "groups", [Group.objects.get(name=roles.FULFILMENT)])
    Token.objects.get_or_create(user=user)


def _slot(rng, when: datetime.datetime) -> InstallerSlot:
    """One of the slots of `when`'s day (slots are opened for the whole period first)."""
    day = list(
        InstallerSlot.objects.filter(region="", starts_at__date=timezone.localdate(when)).order_by(
            "starts_at"
        )
    )
    return day[rng.randrange(len(day))]


def _plan(months_back: int, index: int, count: int):
    """The status of the index-th order of a month: last month's connected, this month's mixed."""
    if months_back:
        return OrderStatus.CONNECTED
    share = index / max(count, 1)
    if share < 0.5:
        return OrderStatus.CONNECTED
    return OrderStatus.SENT if share < 0.85 else OrderStatus.REGISTERED


def _month_orders(rng, month_start, months_back, end, now):
    """The month's orders: spread over its days, in working hours, and never after `now`.

    Today's orders that working hours would put later than now (the small hours, or the 1st of a
    month just begun) are spread over the part of today already past, so that every order, and
    every status change `_write` gives it, has happened by the time the demo is seeded.
    """
    count = rng.randint(8, 14) if months_back else rng.randint(4, 9)
    days = max((end - month_start).days, 1)
    zone = timezone.get_current_timezone()
    for index in range(count):
        day = month_start + datetime.timedelta(days=min(days - 1, index * days // count))
        created = datetime.datetime.combine(
            day, datetime.time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=zone
        )
        if created >= now:
            midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
            created = midnight + (now - midnight) * (index + 1) / (count + 1)
        status = _plan(months_back, index, count)
        yield index, created, status


def _passport(rng, created):
    issued = created.date() - datetime.timedelta(days=rng.randint(400, 6000))
    issued = max(issued, datetime.date(1998, 1, 1))
    return personal_data.Passport(
        f"{rng.randint(10, 99)}{rng.randint(0, 99):02d}",
        f"{rng.randint(100000, 999999)}",
        issued,
        rng.choice(ISSUERS),
    )


def _write(
    rng, *, reference, agent, account, product, campaign, plan, tech, channel, created, status
):
    now = timezone.now()
    # Each status follows the one before and none is later than now (an order of the last minutes
    # is sent and connected at once).
    sent = min(created + datetime.timedelta(minutes=1), now)
    connected = max(sent, min(created + datetime.timedelta(days=rng.randint(1, 4)), now))
    name = " ".join(p for p in (account.surname, account.first_name, account.patronymic) if p)
    address = f"г. {account.region or 'Москва'}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 300)}"
    order = ConnectionOrder.objects.create(
        reference=reference,
        account=account,
        agent=agent,
        product=product,
        campaign=campaign,
        full_name=name,
        contact_phone=f"+7916{rng.randint(1000000, 9999999)}",
        service=product.service,
        sales_channel=channel,
        # What the order replaces, as registration records it (the rewards engine reads it).
        **previous_fields(account=account, sale=product),
        **_blocks(rng, product=product, plan=plan, tech=tech, address=address, created=created),
        status=OrderStatus.REGISTERED,
        created_at=created,
    )
    OrderStatusChange.objects.create(
        order=order,
        status=OrderStatus.REGISTERED,
        source=StatusSource.AGENT,
        changed_by=agent,
        changed_at=created,
    )
    OrderOutboxMessage.objects.create(
        order=order,
        kind=OutboxKind.CREATE,
        idempotency_key=f"order-{reference}-create",
        state=OutboxState.PENDING if status == OrderStatus.REGISTERED else OutboxState.DELIVERED,
        attempts=0 if status == OrderStatus.REGISTERED else 1,
        next_attempt_at=created,
        created_at=created,
        delivered_at=None if status == OrderStatus.REGISTERED else sent,
    )
    if status != OrderStatus.REGISTERED:
        order = order_set_status(
            order=order,
            status=OrderStatus.SENT,
            source=StatusSource.SYSTEM,
            external_id=f"WO-{reference.hex[:8].upper()}",
            now=sent,
        )
    if status in (OrderStatus.CONNECTED, OrderStatus.CANCELLED):
        order = order_set_status(
            order=order, status=OrderStatus.CONNECTED, source=StatusSource.FULFILMENT, now=connected
        )
    return order


def _blocks(rng, *, product, plan, tech, address, created) -> dict:
    """The blocks of the order's kind (R8), as registration would have required them."""
    kind = order_kind_of(product)
    if kind == OrderKind.ACTIVATION:
        return {"kind": kind}
    if kind == OrderKind.DELIVERY:
        starts = datetime.datetime.combine(
            timezone.localdate(created) + datetime.timedelta(days=1),
            datetime.time(rng.choice((9, 13, 17))),
            tzinfo=timezone.get_current_timezone(),
        )
        return {
            "kind": kind,
            "connection_address": address,
            "delivery_starts_at": starts,
            "delivery_ends_at": starts + datetime.timedelta(hours=4),
        }
    return {
        "kind": kind,
        "connection_address": address,
        "registration_address": address,
        "passport_ciphertext": personal_data.encrypt_passport(_passport(rng, created)),
        "technology": tech,
        "tariff": plan,
        "slot": _slot(rng, created + datetime.timedelta(days=1)),
    }


def _cancel_one(order):
    """The demo agent's one cancellation: connected, then cancelled by the customer two days
    later, within the clawback window (the lifecycle sets the clawback)."""
    order_set_status(
        order=order,
        status=OrderStatus.CANCELLED,
        source=StatusSource.FULFILMENT,
        reason="Клиент отказался от услуги после подключения",
        now=order.connected_at + datetime.timedelta(days=2),
    )


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    cat = _catalogue(tally)
    _fulfilment_login(tally)
    previous_start = (ctx.month_start - datetime.timedelta(days=1)).replace(day=1)
    tally.add(
        "installer slots opened",
        installer_slots_open(start_day=previous_start, days=(ctx.today - previous_start).days + 15),
    )
    offers = {o.code: o for o in Offer.objects.select_related("service")}
    products = [(offers[p], offers[t]) for p, t in PRODUCTS if p in offers and t in offers]
    accounts = list(
        SubscriberAccount.objects.exclude(number="352011070411").order_by("number")[:400]
    )
    channel = SalesChannel.objects.filter(is_default=True).first()
    campaign_of = {}
    for campaign in Campaign.objects.order_by("-priority", "code"):
        campaign_of.setdefault(campaign.offer_id, campaign)
    existing = set(ConnectionOrder.objects.values_list("reference", flat=True))
    agents = list(AgentProfile.objects.select_related("user").order_by("employee_number"))
    written = 0
    now = timezone.now()
    for done, profile in enumerate(agents, start=1):
        agent = profile.user
        for months_back, start, end in (
            (1, previous_start, ctx.month_start),
            (0, ctx.month_start, ctx.today + datetime.timedelta(days=1)),
        ):
            # A generator per month and one per order: skipping an existing order changes nothing
            # of the others, so every run makes the same month.
            month_rng = ctx.rng(f"orders:{agent.username}:{start:%Y-%m}")
            for index, created, status in _month_orders(month_rng, start, months_back, end, now):
                reference = uuid.uuid5(NAMESPACE, f"{agent.username}:{start:%Y-%m}:{index}")
                if reference in existing:
                    continue
                rng = ctx.rng(f"orders:{reference}")
                product, plan = rng.choice(products)
                account = rng.choice(accounts)
                tech = cat["technologies"]["fttb" if rng.random() < 0.7 else "gpon"]
                order = _write(
                    rng,
                    reference=reference,
                    agent=agent,
                    account=account,
                    product=product,
                    campaign=campaign_of.get(product.pk),
                    plan=plan,
                    tech=tech,
                    channel=channel,
                    created=created,
                    status=status,
                )
                if agent.username == DEMO_AGENT and months_back and index == 0:
                    _cancel_one(order)
                written += 1
        ctx.progress("agents", done, len(agents))
    tally.add("orders created", written)
    return {"orders": ConnectionOrder.objects.count(), **tally}
