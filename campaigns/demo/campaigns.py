"""Campaigns: two antivirus campaigns for one product (R6) and one for each offer of R12, with
their target lists."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from campaigns.demo.accounts import DEMO_ACCOUNT, generated_accounts
from campaigns.models import Campaign, CampaignStatus, CampaignTarget, SubscriberAccount
from config.floor.seeding import SeedContext, Tally, set_m2m, upsert
from offers.demo import (
    SEG_BB,
    SEG_BB_TV,
    SEG_BB_TV_PHONE,
    SEG_PHONE,
    SEG_TV,
    WITH_BROADBAND,
    WITH_IPTV,
)
from offers.models import Offer, Segment

User = get_user_model()
OWNER = "manager"
ANTIVIRUS_CAMPAIGN = "Антивирус_vo12_CRM_MR03"
ANTIVIRUS_TEST_CAMPAIGN = "TEST_CRM_MR03_W4"

# The deck's «Описание» of the antivirus campaign, word for word but for the placeholders:
# «И.О.» → {customer}, the promo and the price of the offer → {promo_days}, {monthly_price}.
ANTIVIRUS_SCRIPT = (
    "Рад(а), что смог(ла) помочь решить Ваш вопрос.\n"
    "В связи с частыми хакерскими атаками в интернете, мы предлагаем Вам {promo_days} дней "
    "бесплатного пользования услугой антивирус Касперского и приложением для защиты детей "
    "SAFE KIDS.\n"
    "С помощью антивируса Вы сможете защитить любые 2 устройства от вирусов и кражи информации. "
    "Бесплатный промо-период составит {promo_days} дней, за это время Вы можете почистить Ваше "
    "оборудование от вредоносных программ. Со второго месяца оплата за антивирус {monthly_price} "
    "руб., а с приложением SAFE KIDS 238руб. Этими приложениями можно пользоваться также и по "
    "отдельности. Для подключения мы Вам отправляем промо-код на мобильный номер телефона в "
    "течении 4 часов, активируете Вы его сами на два устройства, которые необходимо защитить. "
    "{customer}, подключим Антивирус и приложения Safe kids с бесплатным промо-периодом?\n"
    "Если ДА - переходим к оформлению заявки; Если НЕТ - прощаемся."
)
# The deck's «Подключение» of the same campaign.
ANTIVIRUS_CONNECTION = (
    "{customer}, с вашего согласия подключаю Вам антивирус Касперского/ антивирус Касперского + "
    "опцию Safe kids. Для подключения мы Вам отправим SMS с уникальным адресом и промо - кодом на "
    "мобильный номер, необходимо активировать его на два устройства, которые необходимо защитить. "
    "Лицензия на два устройства. Первый месяц пользования - бесплатно, со 2-го месяца стоимость "
    "подписки {monthly_price} руб/мес / 238 руб антивирус на Ваши устройства или нет. Абонентская "
    "плата будет начисляться на Ваш лицевой счет, который Вы оплачиваете за интернет. Вам нужно "
    "установить антивирус на Ваше устройство и указать в нем Вам понятны условия пользования "
    "услугой? (должно прозвучать четко «ДА») /Остались ли у Вас ко мне какие-либо вопросы? Я могу "
    "направить Вам на электронную почту пошаговую инструкцию по активации"
)
CONNECT_NOW = (
    "{customer}, я могу прямо сейчас оформить подключение, и уже завтра услуга Вам будет "
    "предоставлена. Оформляю?"
)


@dataclass(frozen=True)
class CampaignSpec:
    code: str
    name: str
    offer: str
    segments: tuple[str, ...]
    priority: int
    script: str
    connection: str = CONNECT_NOW
    # The share of the matching generated accounts on the target list.
    reach: float = 0.6


CAMPAIGNS = [
    CampaignSpec(
        ANTIVIRUS_CAMPAIGN,
        "Антивирус _ вопрос/ответ_или подключение",
        "kaspersky-2",
        WITH_BROADBAND,
        200,
        ANTIVIRUS_SCRIPT,
        ANTIVIRUS_CONNECTION,
        reach=0.5,
    ),
    CampaignSpec(
        ANTIVIRUS_TEST_CAMPAIGN,
        "Антивирус _ Интернет",
        "kaspersky-2",
        WITH_BROADBAND,
        190,
        "{customer}, для обеспечения безопасности предлагаю Вам подключить антивирус Касперского "
        "на два устройства. Первые {promo_days} дней бесплатно, затем {monthly_price} ₽ в месяц — "
        "всего {price_per_day} ₽ в день. Промо-код придёт SMS на Ваш мобильный номер в течение "
        "4 часов. Подключаем?",
        reach=0.3,
    ),
    CampaignSpec(
        "Кино_CRM_MR04",
        "Пакет «Кино» для ШПД + ТВ",
        "iptv-kino",
        (SEG_BB_TV,),
        150,
        "{customer}, Вы смотрите Интерактивное ТВ, и для Вас есть пакет «Кино»: новинки и "
        "классика кинопроката без рекламы. Всего {monthly_price} ₽ в месяц, это {price_per_day} ₽ "
        "в день. Подключим пакет «Кино»?",
    ),
    CampaignSpec(
        "Amediateka_CRM_MR04",
        "Подписка «Amediateka Home of HBO»",
        "iptv-amediateka",
        (SEG_BB_TV, SEG_BB_TV_PHONE, SEG_BB, SEG_TV),
        140,
        "{customer}, для Вас доступна подписка «Amediateka Home of HBO»: сериалы HBO "
        "одновременно с мировой премьерой. {monthly_price} ₽ в месяц, {price_per_day} ₽ в день. "
        "Подключим подписку?",
    ),
    CampaignSpec(
        "Видеонаблюдение_CRM_MR04",
        "«Умный дом. Видеонаблюдение»",
        "video-surveillance",
        (SEG_BB_TV, SEG_BB_TV_PHONE, SEG_BB, SEG_TV),
        130,
        "{customer}, хотите всегда знать, что происходит дома? Комплект «Умный дом. "
        "Видеонаблюдение»: камера, запись в облако и просмотр со смартфона, {monthly_price} ₽ в "
        "месяц. Оформим доставку оборудования?",
    ),
    CampaignSpec(
        "Детский_клуб_CRM_MR04",
        "Подписка «Детский клуб» для ШПД + ТВ + ОТА",
        "iptv-kids-club",
        (SEG_BB_TV_PHONE,),
        120,
        "{customer}, для Ваших детей есть подписка «Детский клуб»: мультфильмы и познавательные "
        "каналы без рекламы. {monthly_price} ₽ в месяц, всего {price_per_day} ₽ в день. Подключим?",
    ),
    CampaignSpec(
        "Все_и_сразу_CRM_MR04",
        "Пакет «Все и сразу» для моно-клиентов",
        "vse-i-srazu",
        (SEG_BB, SEG_TV),
        110,
        "{customer}, предлагаю пакет «Все и сразу»: больше каналов и сервисов в одном пакете за "
        "{monthly_price} ₽ в месяц, это {price_per_day} ₽ в день. Подключим?",
    ),
    CampaignSpec(
        "Для_своих_CRM_MR04",
        "Пакет «Для своих» для моно ШПД",
        "dlya-svoih",
        (SEG_BB,),
        100,
        "{customer}, для Вас есть пакет «Для своих»: {monthly_price} ₽ в месяц, всего "
        "{price_per_day} ₽ в день. Рассказать подробнее?",
    ),
    CampaignSpec(
        "ТП_Для_Интернета_CRM_MR04",
        "ТП «Для Интернета» для моно ОТА",
        "tariff-dlya-interneta",
        (SEG_PHONE,),
        110,
        "{customer}, к Вашему домашнему телефону можно подключить домашний интернет на скорости "
        "до {speed} Мбит/с по тарифному плану «Для Интернета» за {monthly_price} ₽ в месяц. "
        "Подключение в середине месяца: за первый месяц всего {first_charge} ₽. Оформляем?",
    ),
    CampaignSpec(
        "ТП_Для_впечатлений_CRM_MR04",
        "ТП «Для впечатлений» для моно ОТА",
        "tariff-dlya-vpechatleniy",
        (SEG_PHONE,),
        100,
        "{customer}, предлагаю тарифный план «Для впечатлений»: домашний интернет до {speed} "
        "Мбит/с и Интерактивное ТВ за {monthly_price} ₽ в месяц, это {price_per_day} ₽ в день. "
        "Оформляем?",
    ),
    CampaignSpec(
        "Скорость_100_CRM_MR04",
        "Опция «+100 Мбит/с»",
        "speed-plus-100",
        WITH_BROADBAND,
        125,
        "{customer}, предлагаю увеличить скорость до максимально возможной, подключив опцию "
        "«+100 Мбит/с»: {monthly_price} ₽ в месяц, всего {price_per_day} ₽ в день. Подключаем?",
    ),
    CampaignSpec(
        "Safe_Kids_CRM_MR04",
        "Kaspersky Safe Kids",
        "kaspersky-safe-kids",
        WITH_BROADBAND,
        115,
        "{customer}, разрешите уточнить, кто в основном пользуется Интернетом у Вас в семье? Для "
        "защиты Вашего ребенка от нежелательного контента предлагаю подключить опцию «Kaspersky "
        "Safe Kids»: {promo_days} дней бесплатно, затем {monthly_price} ₽ в месяц. Подключим?",
    ),
    CampaignSpec(
        "Управление_просмотром_CRM_MR04",
        "Опция «Управление просмотром»",
        "iptv-view-control",
        WITH_IPTV,
        105,
        "{customer}, Вам, как абоненту Интерактивного ТВ, доступны дополнительные сервисы: "
        "управление просмотром — пауза, перемотка и архив передач. {monthly_price} ₽ в месяц, "
        "{price_per_day} ₽ в день. Подключим?",
    ),
]
# Both antivirus campaigns show on the demo account (R6: a result on each).
DEMO_TARGETS = (ANTIVIRUS_CAMPAIGN, ANTIVIRUS_TEST_CAMPAIGN)


def running_dates(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first day of the previous month to the last day of the next: the running month
    and its predecessor both fall inside."""
    month_start = today.replace(day=1)
    starts_on = (month_start - datetime.timedelta(days=1)).replace(day=1)
    after_next = (month_start + datetime.timedelta(days=62)).replace(day=1)
    return starts_on, after_next - datetime.timedelta(days=1)


def _campaigns(ctx: SeedContext, tally: Tally) -> dict[str, Campaign]:
    owner = User.objects.get(username=OWNER)
    offers = {o.code: o for o in Offer.objects.filter(code__in={c.offer for c in CAMPAIGNS})}
    segments = {s.code: s for s in Segment.objects.all()}
    starts_on, ends_on = running_dates(ctx.today)
    campaigns = {}
    for spec in CAMPAIGNS:
        campaign = upsert(
            Campaign,
            lookup={"code": spec.code},
            values={
                "name": spec.name,
                "offer": offers[spec.offer],
                "script_template": spec.script,
                "connection_script_template": spec.connection,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "priority": spec.priority,
                "status": CampaignStatus.ACTIVE,
                "owner": owner,
            },
            tally=tally,
        )
        set_m2m(campaign, "segments", [segments[code] for code in spec.segments])
        campaigns[spec.code] = campaign
    return campaigns


def target_pairs(ctx: SeedContext) -> list[tuple[str, str]]:
    """(campaign code, account number) of the demo target lists, the same on every run: the
    generated accounts of the campaign's segments, less those that already have the offer."""
    accounts = generated_accounts()
    pairs = [(code, DEMO_ACCOUNT) for code in DEMO_TARGETS]
    for spec in CAMPAIGNS:
        rng = ctx.rng(f"targets:{spec.code}")
        pairs += [
            (spec.code, account.number)
            for account in accounts
            if account.segment in spec.segments
            and spec.offer not in account.offers
            and rng.random() < spec.reach
        ]
    return pairs


def _targets(ctx: SeedContext, campaigns: dict[str, Campaign]) -> int:
    """The target lists, added in bulk, never removed (managers extend them by import)."""
    pairs = target_pairs(ctx)
    ids = dict(
        SubscriberAccount.objects.filter(number__in={n for _, n in pairs}).values_list(
            "number", "pk"
        )
    )
    rows = [
        CampaignTarget(campaign=campaigns[code], account_id=ids[number]) for code, number in pairs
    ]
    before = CampaignTarget.objects.filter(campaign__in=campaigns.values()).count()
    for start in range(0, len(rows), 500):
        CampaignTarget.objects.bulk_create(rows[start : start + 500], ignore_conflicts=True)
        ctx.progress("targets", min(start + 500, len(rows)), len(rows))
    return CampaignTarget.objects.filter(campaign__in=campaigns.values()).count() - before


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    campaigns = _campaigns(ctx, tally)
    added = _targets(ctx, campaigns)
    targets = CampaignTarget.objects.filter(campaign__in=campaigns.values()).count()
    return {"campaigns": len(campaigns), "targets": targets, "targets added": added, **tally}
