"""Subscriber accounts: the demo account 352011070411 and 500+ generated ones, in bulk."""

import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.utils import timezone

from campaigns.models import PaymentModel, SubscriberAccount
from campaigns.orders.selectors import held_through_connected_orders
from campaigns.services.service_masks import account_service_masks_refresh
from config.floor.seed_names import REGIONS, latin, person
from config.floor.seeding import SEED, SeedContext, Tally, sync_through
from offers.demo import (
    BROADBAND,
    IPTV,
    OFFERS,
    SEG_BB,
    SEG_BB_TV,
    SEG_BB_TV_PHONE,
    SEG_PHONE,
    SEG_TV,
    SEGMENT_SERVICES,
)
from offers.models import Offer, OfferKind, Service

DEMO_ACCOUNT = "352011070411"
GENERATED_ACCOUNTS = 540
BATCH = 100

SEGMENT_WEIGHTS = {SEG_BB_TV: 30, SEG_BB_TV_PHONE: 15, SEG_BB: 30, SEG_PHONE: 10, SEG_TV: 15}
BROADBAND_TARIFFS = {
    "bb-bazovy-100": 50,
    "bb-optimalny-300": 30,
    "bb-maksimalny-500": 15,
    "bb-igrovoy": 5,
}
EXTRA_KINDS = {OfferKind.OPTION, OfferKind.SUBSCRIPTION, OfferKind.PACKAGE, OfferKind.EQUIPMENT}
FIELDS = [
    "surname",
    "first_name",
    "patronymic",
    "payment_model",
    "balance",
    "financial_block",
    "contact_phone",
    "email",
    "region",
]


@dataclass(frozen=True)
class AccountSpec:
    number: str
    surname: str
    first_name: str
    patronymic: str
    payment_model: str
    balance: Decimal
    financial_block: bool
    contact_phone: str
    email: str
    region: str
    segment: str
    services: frozenset[str]
    offers: frozenset[str] = field(default_factory=frozenset)


# The customer of the deck's screenshots: prepaid, 224,55 ₽, broadband only.
DEMO = AccountSpec(
    number=DEMO_ACCOUNT,
    surname="Журавлев",
    first_name="Евгений",
    patronymic="Михайлович",
    payment_model=PaymentModel.ADVANCE,
    balance=Decimal("224.55"),
    financial_block=False,
    contact_phone="+79220601346",
    email="e.zhuravlev@example.com",
    region="Тюменская область",
    segment=SEG_BB,
    services=frozenset({BROADBAND}),
    offers=frozenset({"bb-bazovy-100"}),
)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _finances(rng) -> tuple[str, Decimal, bool]:
    """Mostly healthy accounts, with some that R2/R9 must exclude (block, debt, too little)."""
    roll = rng.random()
    if rng.random() < 0.7:
        if roll < 0.08:
            return PaymentModel.ADVANCE, _money(-rng.uniform(1, 400)), False
        if roll < 0.15:
            return PaymentModel.ADVANCE, _money(rng.uniform(0, 60)), False
        return PaymentModel.ADVANCE, _money(rng.uniform(100, 1800)), False
    if roll < 0.12:
        return PaymentModel.CREDIT, _money(-rng.uniform(500, 3000)), True
    return PaymentModel.CREDIT, _money(-rng.uniform(0, 900)), False


def _offers(rng, segment: str, services: frozenset[str]) -> frozenset[str]:
    held = set()
    if BROADBAND in services:
        held.add(rng.choices(list(BROADBAND_TARIFFS), weights=BROADBAND_TARIFFS.values())[0])
    if IPTV in services:
        held.add("iptv-basic")
    # Some customers already have one of their segment's extras (R9's "already has").
    extras = [o.code for o in OFFERS if o.kind in EXTRA_KINDS and segment in o.segments]
    if extras and rng.random() < 0.15:
        held.add(rng.choice(extras))
    return frozenset(held)


@cache
def generated_accounts() -> tuple[AccountSpec, ...]:
    """The same accounts on every call and every run (a fixed seed)."""
    rng = random.Random(f"{SEED}:accounts")
    numbers = [
        f"3520{n:08d}" for n in rng.sample(range(10_000_000, 100_000_000), GENERATED_ACCOUNTS + 1)
    ]
    numbers = [n for n in numbers if n != DEMO_ACCOUNT][:GENERATED_ACCOUNTS]
    specs = []
    for number in numbers:
        surname, first_name, patronymic = person(rng)
        segment = rng.choices(list(SEGMENT_WEIGHTS), weights=SEGMENT_WEIGHTS.values())[0]
        services = SEGMENT_SERVICES[segment]
        payment_model, balance, blocked = _finances(rng)
        email = ""
        if rng.random() < 0.4:
            email = f"{latin(first_name)[0]}.{latin(surname)}{rng.randrange(10, 99)}@example.com"
        specs.append(
            AccountSpec(
                number=number,
                surname=surname,
                first_name=first_name,
                patronymic=patronymic,
                payment_model=payment_model,
                balance=balance,
                financial_block=blocked,
                contact_phone=f"+79{rng.randrange(10**8, 10**9)}",
                email=email,
                region=rng.choice(REGIONS),
                segment=segment,
                services=services,
                offers=_offers(rng, segment, services),
            )
        )
    return tuple(specs)


def _write_rows(ctx: SeedContext, specs: list[AccountSpec], tally: Tally) -> dict[str, int]:
    existing = SubscriberAccount.objects.in_bulk([s.number for s in specs], field_name="number")
    new, changed, changed_fields = [], [], set()
    for spec in specs:
        values = {name: getattr(spec, name) for name in FIELDS}
        account = existing.get(spec.number)
        if account is None:
            new.append(SubscriberAccount(number=spec.number, **values))
            continue
        diff = [name for name, value in values.items() if getattr(account, name) != value]
        if diff:
            for name in diff:
                setattr(account, name, values[name])
            account.updated_at = timezone.now()
            changed.append(account)
            changed_fields.update(diff)
    for start in range(0, len(new), BATCH):
        SubscriberAccount.objects.bulk_create(new[start : start + BATCH])
        ctx.progress("accounts created", start + len(new[start : start + BATCH]), len(new))
    if changed:
        SubscriberAccount.objects.bulk_update(
            changed, [*sorted(changed_fields), "updated_at"], batch_size=BATCH
        )
    tally.add("created", len(new))
    tally.add("updated", len(changed))
    return dict(
        SubscriberAccount.objects.filter(number__in=[s.number for s in specs]).values_list(
            "number", "pk"
        )
    )


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    specs = [DEMO, *generated_accounts()]
    ids = _write_rows(ctx, specs, tally)
    services = dict(Service.objects.values_list("code", "pk"))
    offers = dict(Offer.objects.values_list("code", "pk"))
    wanted_services = {(ids[s.number], services[c]) for s in specs for c in s.services}
    wanted_offers = {(ids[s.number], offers[c]) for s in specs for c in s.offers}
    # What was sold and connected is the account's (a rerun keeps what the demo's orders did).
    sold, new_services, replaced = held_through_connected_orders(ids.values())
    wanted_offers = (wanted_offers - replaced) | sold
    wanted_services |= new_services
    through = SubscriberAccount.services.through
    added, removed = sync_through(
        through, "subscriberaccount", "service", ids.values(), wanted_services
    )
    tally.add("service links added", added)
    tally.add("service links removed", removed)
    if added or removed:
        account_service_masks_refresh(account_ids=ids.values())
    through = SubscriberAccount.offers.through
    added, removed = sync_through(
        through, "subscriberaccount", "offer", ids.values(), wanted_offers
    )
    tally.add("offer links added", added)
    tally.add("offer links removed", removed)
    return {"accounts": len(specs), **tally}
