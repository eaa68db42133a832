"""Services, the five segments of R12 and every offer the deck names, with prices."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from config.floor.seeding import SeedContext, Tally, set_m2m, upsert
from offers.models import Offer, OfferKind, Segment, Service, ServiceCode

BROADBAND, IPTV, PHONE, MOBILE = (
    ServiceCode.BROADBAND,
    ServiceCode.IPTV,
    ServiceCode.PHONE,
    ServiceCode.MOBILE,
)

SERVICES = [
    (BROADBAND, "Домашний интернет"),
    (IPTV, "Интерактивное ТВ"),
    (PHONE, "Домашний телефон"),
    (MOBILE, "Мобильная связь"),
]

# R12: a segment is the exact set of services an account holds.
SEG_BB_TV = "broadband-iptv"
SEG_BB_TV_PHONE = "broadband-iptv-phone"
SEG_BB = "broadband"
SEG_PHONE = "phone"
SEG_TV = "iptv"
SEGMENTS = [
    (SEG_BB_TV, "ШПД + ТВ", (BROADBAND, IPTV)),
    (SEG_BB_TV_PHONE, "ШПД + ТВ + ОТА", (BROADBAND, IPTV, PHONE)),
    (SEG_BB, "Моно ШПД", (BROADBAND,)),
    (SEG_PHONE, "Моно ОТА", (PHONE,)),
    (SEG_TV, "Моно ТВ", (IPTV,)),
]
SEGMENT_SERVICES = {code: frozenset(services) for code, _name, services in SEGMENTS}

# Offers outside R12's lists go to every segment that holds their service.
WITH_BROADBAND = (SEG_BB_TV, SEG_BB_TV_PHONE, SEG_BB)
WITH_IPTV = (SEG_BB_TV, SEG_BB_TV_PHONE, SEG_TV)
WITH_PHONE = (SEG_BB_TV_PHONE, SEG_PHONE)


@dataclass(frozen=True)
class OfferSpec:
    code: str
    name: str
    kind: str
    service: str
    price: str
    segments: tuple[str, ...]
    promo_days: int = 0
    speed: int | None = None
    description: str = ""


K = OfferKind
OFFERS = [
    # Base services: what «Допродажа услуги ШПД/ИТВ» (a share of ARPU) sells to mono customers.
    OfferSpec(
        "broadband-100",
        "Домашний интернет 100 Мбит/с",
        K.SERVICE,
        BROADBAND,
        "550",
        (SEG_TV, SEG_PHONE),
        speed=100,
        description="Подключение услуги «Домашний интернет» клиенту, у которого её ещё нет.",
    ),
    OfferSpec(
        "iptv-basic",
        "Интерактивное ТВ (базовый пакет)",
        K.SERVICE,
        IPTV,
        "320",
        (SEG_BB, SEG_PHONE),
        description="Подключение «Интерактивного ТВ»: более 170 телеканалов, управление просмотром.",
    ),
    # Broadband tariffs of different prices, so that «Смена ТП ШПД на более дорогой» has moves
    # in each of its three bands (+80, +220 and +300 ₽ a month, for example).
    OfferSpec(
        "bb-bazovy-100", "Базовый 100", K.TARIFF, BROADBAND, "450", WITH_BROADBAND, speed=100
    ),
    OfferSpec(
        "bb-optimalny-300", "Оптимальный 300", K.TARIFF, BROADBAND, "530", WITH_BROADBAND, speed=300
    ),
    OfferSpec(
        "bb-maksimalny-500",
        "Максимальный 500",
        K.TARIFF,
        BROADBAND,
        "750",
        WITH_BROADBAND,
        speed=500,
    ),
    OfferSpec(
        "bb-igrovoy",
        "Игровой",
        K.TARIFF,
        BROADBAND,
        "900",
        WITH_BROADBAND,
        speed=500,
        description="Тарифный план для онлайн-игр: до 500 Мбит/с и низкий пинг.",
    ),
    OfferSpec(
        "speed-plus-100",
        "+100 Мбит/с",
        K.OPTION,
        BROADBAND,
        "100",
        WITH_BROADBAND,
        speed=100,
        description="Увеличивает скорость тарифного плана на 100 Мбит/с.",
    ),
    OfferSpec("bb-uskorenie", "Ускорение", K.OPTION, BROADBAND, "60", WITH_BROADBAND),
    OfferSpec(
        "bb-dvoinoe-uskorenie", "Двойное ускорение", K.OPTION, BROADBAND, "100", WITH_BROADBAND
    ),
    # R14: 30 days free, then 139 ₽ a month; with Safe Kids 238 ₽; either can be taken alone.
    OfferSpec(
        "kaspersky-2",
        "Kaspersky Internet Security для 2-х устройств",
        K.SUBSCRIPTION,
        BROADBAND,
        "139",
        WITH_BROADBAND,
        promo_days=30,
        description=(
            "Антивирус Касперского на два устройства. Промо-код приходит SMS на мобильный номер "
            "в течение 4 часов; абонентская плата начисляется на лицевой счёт интернета."
        ),
    ),
    OfferSpec(
        "kaspersky-2-safe-kids",
        "Kaspersky Internet Security для 2-х устройств + Kaspersky Safe Kids",
        K.SUBSCRIPTION,
        BROADBAND,
        "238",
        WITH_BROADBAND,
        promo_days=30,
        description="Антивирус на два устройства и приложение для защиты детей Safe Kids.",
    ),
    # The deck gives no price for Safe Kids alone; 99 ₽ = 238 − 139 (the bundle less the
    # antivirus). Its 30 free days: the deck offers the promo for the antivirus "и приложением
    # для защиты детей SAFE KIDS".
    OfferSpec(
        "kaspersky-safe-kids",
        "Kaspersky Safe Kids",
        K.SUBSCRIPTION,
        BROADBAND,
        "99",
        WITH_BROADBAND,
        promo_days=30,
        description="Защита ребёнка от нежелательного контента в интернете.",
    ),
    OfferSpec(
        "video-surveillance",
        "Умный дом. Видеонаблюдение",
        K.EQUIPMENT,
        BROADBAND,
        "250",
        (SEG_BB_TV, SEG_BB_TV_PHONE, SEG_BB, SEG_TV),
        description="Комплект «Умный дом»: камера и облачный архив записей.",
    ),
    OfferSpec("dlya-svoih", "Для своих", K.PACKAGE, BROADBAND, "350", (SEG_BB,)),
    OfferSpec("iptv-view-control", "Управление просмотром", K.OPTION, IPTV, "99", WITH_IPTV),
    OfferSpec("iptv-kino", "Кино", K.PACKAGE, IPTV, "299", (SEG_BB_TV,)),
    OfferSpec("iptv-vip", "VIP", K.PACKAGE, IPTV, "399", WITH_IPTV),
    OfferSpec("vse-i-srazu", "Все и сразу", K.PACKAGE, IPTV, "449", (SEG_BB, SEG_TV)),
    OfferSpec(
        "iptv-amediateka",
        "Amediateka Home of HBO",
        K.SUBSCRIPTION,
        IPTV,
        "599",
        (SEG_BB_TV, SEG_BB_TV_PHONE, SEG_BB, SEG_TV),
    ),
    OfferSpec("iptv-disney", "Волшебный мир Disney", K.SUBSCRIPTION, IPTV, "249", WITH_IPTV),
    OfferSpec("iptv-kids-club", "Детский клуб", K.SUBSCRIPTION, IPTV, "199", (SEG_BB_TV_PHONE,)),
    OfferSpec(
        "phone-bezlimitnaya-rossiya",
        "Безлимитная Россия",
        K.TARIFF,
        PHONE,
        "450",
        WITH_PHONE,
        description="Безлимитные звонки на домашние и мобильные номера России.",
    ),
    OfferSpec("phone-tvoya-strana-200", "Твоя страна 200", K.OPTION, PHONE, "100", WITH_PHONE),
    OfferSpec("phone-tvoya-strana-500", "Твоя страна 500", K.OPTION, PHONE, "200", WITH_PHONE),
    # R12 offers these two tariffs to phone-only customers: they bring home internet to them.
    OfferSpec(
        "tariff-dlya-interneta",
        "Для Интернета",
        K.TARIFF,
        BROADBAND,
        "600",
        (SEG_PHONE,),
        speed=100,
        description="Домашний интернет для клиентов домашнего телефона.",
    ),
    OfferSpec(
        "tariff-dlya-vpechatleniy",
        "Для впечатлений",
        K.TARIFF,
        BROADBAND,
        "890",
        (SEG_PHONE,),
        speed=200,
        description="Домашний интернет и Интерактивное ТВ для клиентов домашнего телефона.",
    ),
]


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    services = {}
    for order, (code, name) in enumerate(SERVICES, start=1):
        services[code] = upsert(
            Service, lookup={"code": code}, values={"name": name, "order": order}, tally=tally
        )
    segments = {}
    for code, name, codes in SEGMENTS:
        segments[code] = upsert(Segment, lookup={"code": code}, values={"name": name}, tally=tally)
        set_m2m(segments[code], "services", [services[c] for c in codes])
    for spec in OFFERS:
        offer = upsert(
            Offer,
            lookup={"code": spec.code},
            values={
                "name": spec.name,
                "kind": spec.kind,
                "service": services[spec.service],
                "monthly_price": Decimal(spec.price),
                "promo_days": spec.promo_days,
                "speed_mbps": spec.speed,
                "description": spec.description,
                "is_active": True,
            },
            tally=tally,
        )
        set_m2m(offer, "segments", [segments[c] for c in spec.segments])
    return {
        "services": len(services),
        "segments": len(segments),
        "offers": len(OFFERS),
        **tally,
    }
