"""The reward catalogue of R11, exactly as the deck's table «Что предлагаем»."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from config.floor.seeding import SeedContext, Tally, set_m2m, upsert
from offers.demo import BROADBAND, IPTV, PHONE
from offers.models import Offer, Service
from rewards.models import RewardBand, RewardKind, RewardRule

VALID_FROM = datetime.date(2019, 1, 1)


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    service: str
    kind: str
    amount: str | None = None
    arpu_share: str | None = None
    offers: tuple[str, ...] = ()


FIXED, ARPU, TIERED = RewardKind.FIXED, RewardKind.ARPU_SHARE, RewardKind.TIERED

# In the deck's order. The antivirus + Safe Kids bundle is two connected services, so both of the
# Kaspersky rules pay for it. «Допродажа услуги ШПД/ИТВ» names no offer: a share of ARPU on a new
# service has no offers (see RewardRule.offers). The tiered rule pays for moves to the broadband
# tariffs other than «Игровой», which has a rule of its own.
RULES = [
    RuleSpec(
        "iptv-view-control",
        "Опция «Управление просмотром»",
        IPTV,
        FIXED,
        "25",
        offers=("iptv-view-control",),
    ),
    RuleSpec(
        "iptv-disney",
        "Подписка «Волшебный мир Disney»",
        IPTV,
        FIXED,
        "87.50",
        offers=("iptv-disney",),
    ),
    RuleSpec(
        "iptv-amediateka",
        "Подписка «Amediateka Home of HBO»",
        IPTV,
        FIXED,
        "75",
        offers=("iptv-amediateka",),
    ),
    RuleSpec(
        "iptv-kids-club", "Подписка «Детский клуб»", IPTV, FIXED, "50", offers=("iptv-kids-club",)
    ),
    RuleSpec("iptv-kino", "Доп. пакет «Кино»", IPTV, FIXED, "40", offers=("iptv-kino",)),
    RuleSpec("iptv-vip", "Доп. пакет «VIP»", IPTV, FIXED, "75", offers=("iptv-vip",)),
    RuleSpec(
        "phone-bezlimitnaya-rossiya",
        "Подключение тарифа «Безлимитная Россия»",
        PHONE,
        FIXED,
        "35",
        offers=("phone-bezlimitnaya-rossiya",),
    ),
    RuleSpec(
        "phone-tvoya-strana-200",
        "Опция ОТА «Твоя страна 200»",
        PHONE,
        FIXED,
        "15",
        offers=("phone-tvoya-strana-200",),
    ),
    RuleSpec(
        "phone-tvoya-strana-500",
        "Опция ОТА «Твоя страна 500»",
        PHONE,
        FIXED,
        "40",
        offers=("phone-tvoya-strana-500",),
    ),
    RuleSpec(
        "bb-igrovoy",
        "Перевод на тарифный план «Игровой»",
        BROADBAND,
        FIXED,
        "150",
        offers=("bb-igrovoy",),
    ),
    RuleSpec(
        "bb-uskorenie",
        "Опции «Ускорение» и «Двойное ускорение» ШПД",
        BROADBAND,
        FIXED,
        "15",
        offers=("bb-uskorenie", "bb-dvoinoe-uskorenie"),
    ),
    RuleSpec(
        "kaspersky-2",
        "Kaspersky Internet Security для 2-х устройств",
        BROADBAND,
        FIXED,
        "15",
        offers=("kaspersky-2", "kaspersky-2-safe-kids"),
    ),
    RuleSpec(
        "kaspersky-safe-kids",
        "Kaspersky Safe Kids",
        BROADBAND,
        FIXED,
        "15",
        offers=("kaspersky-safe-kids", "kaspersky-2-safe-kids"),
    ),
    RuleSpec(
        "video-surveillance",
        "Продажа комплекта «Умный дом. Видеонаблюдение»",
        BROADBAND,
        FIXED,
        "400",
        offers=("video-surveillance",),
    ),
    RuleSpec("upsell-broadband", "Допродажа услуги ШПД", BROADBAND, ARPU, arpu_share="0.75"),
    RuleSpec("upsell-iptv", "Допродажа услуги ИТВ", IPTV, ARPU, arpu_share="0.75"),
    RuleSpec(
        "bb-tariff-upgrade",
        "Смена ТП ШПД на более дорогой",
        BROADBAND,
        TIERED,
        offers=("bb-bazovy-100", "bb-optimalny-300", "bb-maksimalny-500"),
    ),
]

# The deck gives only "15/50/100" for a move to a dearer broadband tariff, no thresholds. We band
# by the increase in the monthly fee, ₽: [0, 100) → 15, [100, 300) → 50, [300, ∞) → 100. A manager
# edits the bands in the admin.
TARIFF_UPGRADE_BANDS = [("0", "100", "15"), ("100", "300", "50"), ("300", None, "100")]


def _money(value: str | None) -> Decimal | None:
    return Decimal(value).quantize(Decimal("0.01")) if value is not None else None


def _bands(rule: RewardRule, tally: Tally) -> None:
    for low, high, amount in TARIFF_UPGRADE_BANDS:
        upsert(
            RewardBand,
            lookup={"rule": rule, "min_increase": _money(low)},
            values={"max_increase": _money(high), "amount": _money(amount)},
            tally=tally,
        )
    lows = [_money(low) for low, _high, _amount in TARIFF_UPGRADE_BANDS]
    rule.bands.exclude(min_increase__in=lows).delete()


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    services = {s.code: s for s in Service.objects.all()}
    offers = {o.code: o for o in Offer.objects.all()}
    for order, spec in enumerate(RULES, start=1):
        # The deck's period lasts until a revision (the history step) opened the next one.
        later = (
            RewardRule.objects.filter(code=spec.code, valid_from__gt=VALID_FROM)
            .order_by("valid_from")
            .values_list("valid_from", flat=True)
            .first()
        )
        rule = upsert(
            RewardRule,
            lookup={"code": spec.code, "valid_from": VALID_FROM},
            values={
                "name": spec.name,
                "service": services[spec.service],
                "kind": spec.kind,
                "amount": _money(spec.amount),
                "arpu_share": Decimal(spec.arpu_share) if spec.arpu_share else None,
                "valid_to": later - datetime.timedelta(days=1) if later else None,
                "order": order,
            },
            tally=tally,
        )
        set_m2m(rule, "offers", [offers[code] for code in spec.offers])
        if spec.kind == TIERED:
            _bands(rule, tally)
    return {"rules": len(RULES), "bands": len(TARIFF_UPGRADE_BANDS), **tally}
