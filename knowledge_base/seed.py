"""The knowledge base of the seed deck «ДОПРОДАЖИ – ЭТО ПРОСТО!» (R4, R13, R15, R16).

`seed_demo` calls `seed_knowledge_base`; running it again changes nothing (natural keys: category
slugs, article category + title, bridge codes, objection codes, closing stage + text).
The texts are Russian data, copied from the deck.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from knowledge_base import services
from knowledge_base.models import (
    Article,
    ArticleStatus,
    Bridge,
    ClosingPhrase,
    ClosingStage,
    ObjectionStep,
    ObjectionType,
    StockAnswer,
    VzorStep,
)
from offers.models import Offer, Service

MSK = ZoneInfo("Europe/Moscow")

# R13: the tree as the deck's СУЗ shows it, in its order.
CATEGORIES = [
    ("spravochniki", "Справочники", []),
    ("tarify-i-akcii", "Тарифы и Акции", []),
    ("tekhnologicheskie-karty", "Технологические Карты", []),
    ("tekhpodderzhka", "Техподдержка", []),
    (
        "uslugi-i-produkty",
        "Услуги и продукты",
        [
            ("mvno", "MVNO"),
            ("dopolnitelnye-uslugi", "Дополнительные услуги"),
            ("doprodazhi", "Допродажи"),
            ("internet", "Интернет"),
            ("klientskie-servisy", "Клиентские сервисы"),
            ("prochie-uslugi-i-uslugi-partnerov", "Прочие услуги и услуги партнеров"),
        ],
    ),
]

INSTRUCTIONS = """\
## Основные инструкции

- **Смена тарифного плана** — согласно классификатору CRM.
- **Доставка оборудования по услуге видеонаблюдение** — Инструкция по оформлению заданий в МПЗ \
на доставку оборудования. ВИДЕОНАБЛЮДЕНИЕ.
- **Подключение новых услуг** — Инструкции «ПиУУ-SLIM».
"""

PACKAGE_BODY = (
    """\
Что предлагать клиентам, у которых подключён пакет услуг.

| Сегмент ШПД+ТВ | Сегмент ШПД+ТВ+ОТА |
|---|---|
| Пакет «Кино» | Детский клуб |
| Амедиатека | Амедиатека |
| Видеонаблюдение | Видеонаблюдение |

"""
    + INSTRUCTIONS
)

MONO_BODY = (
    """\
Что предлагать клиентам с одной услугой (МОНО).

| Сегмент МОНО ШПД | Сегмент МОНО ОТА | Сегмент МОНО ТВ |
|---|---|---|
| Амедиатека | ТП «Для Интернета» | Амедиатека |
| Видеонаблюдение | ТП «Для впечатлений» | Видеонаблюдение |
| Все и сразу | | Все и сразу |
| Для своих | | |

"""
    + INSTRUCTIONS
)

SCRIPTS_BODY = """\
## Алгоритм продвижения услуг

1. **Совершение допродаж в благоприятный момент.** Как только Вы поняли, что контакт с Клиентом \
налажен и его вопрос решен, переходите к этапу допродаж! Красивый сервис, помощь в основном \
вопросе – успешный старт для перехода к допродаже.
2. **Проверка финансовой возможности.** Отсутствие финансовой блокировки у кредитной модели \
расчета / отсутствие отрицательного баланса или недостатка ДС на балансе у авансовой модели расчета.
3. **Грамотная презентация услуги для клиента.** Озвучить преимущества продукта уверенным и \
позитивным голосом, что получит для себя Клиент, подключив допакет, показать выгоду, преимущества.
4. **При несогласии Клиента обязательно отработайте сомнения Клиента.** Помните, нельзя работать \
больше, чем с двумя возражениями в допродаже! Умение грамотно подносить цену за услугу \
(подключение в середине месяца, деление цены на количество дней).
5. **Совершение продажи.** Допродал Клиенту – увеличил свой доход!

## Антивирус Касперского и Safe Kids: речевой модуль (поле «Описание»)

> Рад(а), что смог(ла) помочь решить Ваш вопрос. В связи с частыми хакерскими атаками в \
интернете, мы предлагаем Вам 30 дней бесплатного пользования услугой антивирус Касперского и \
приложением для защиты детей SAFE KIDS. С помощью антивируса Вы сможете защитить любые 2 устройства \
от вирусов и кражи информации. Бесплатный промо-период составит 30 дней, за это время Вы можете \
почистить Ваше оборудование от вредоносных программ. Со второго месяца оплата за антивирус 139 руб., \
а с приложением SAFE KIDS 238 руб. Этими приложениями можно пользоваться также и по отдельности. \
Для подключения мы Вам отправляем промо-код на мобильный номер телефона в течении 4 часов, \
активируете Вы его сами на два устройства, которые необходимо защитить. И.О., подключим Антивирус \
и приложения Safe kids с бесплатным промо-периодом?

Если ДА — переходим к оформлению заявки; если НЕТ — прощаемся.

## Антивирус: подключение (кампания «Антивирус _ вопрос/ответ_или подключение»)

> И.О., с вашего согласия подключаю Вам антивирус Касперского / антивирус Касперского + опцию \
Safe kids. Для подключения мы Вам отправим SMS с уникальным адресом и промо-кодом на мобильный \
номер, необходимо активировать его на два устройства, которые необходимо защитить. Лицензия на два \
устройства. Первый месяц пользования — бесплатно, со 2-го месяца стоимость подписки 139 руб/мес / \
238 руб. Абонентская плата будет начисляться на Ваш лицевой счет, который Вы оплачиваете за \
интернет. Вам понятны условия пользования услугой?

Должно прозвучать четко «ДА».

> Остались ли у Вас ко мне какие-либо вопросы? Я могу направить Вам на электронную почту \
пошаговую инструкцию по активации.

## Бизнес-мостики / связующие фразы

| Ситуация | Связующая фраза |
|---|---|
| Абонент в интернете «подхватил» вирус | Для обеспечения безопасности предлагаю Вам подключить \
антивирус на два устройства... |
| Низкая скорость на услуге «Домашний интернет» | Параметры Вашего тарифного плана \
предусматривают скорость до __ Мбит/с. Предлагаю увеличить скорость до максимально возможной, \
подключив опцию + 100 Мбит/с |
| Консультация по ЕЛК | Разрешите уточнить, кто в основном пользуется Интернетом у Вас в семье? \
Для защиты Вашего ребенка от нежелательного контента предлагаю подключить опцию «Kaspersky Safe Kids» |
| Настроить пульт ДУ | Вам, как абоненту Интерактивного ТВ, доступны дополнительные сервисы: \
управление просмотром и ... |

## Исключения, при которых предложения не отрабатываются

- **По часам:** ЧНН (часы наибольшей нагрузки) / работа по аварийному скрипту.
- **Особенности взаимодействия с клиентом:** требовательный клиент / негативно настроенный / \
в частности создание жалобы на качество услуг или качество обслуживания / угроза расторжения договора.
- Вопрос Клиента не решен.
- Глобальная проблема.
- Финансовая блокировка / недостаточно денег на счёте (невозможно технически).
- Обратился ребёнок / клиент не является пользователем услуги (инсталлятор, соц. работник и т.д.).

## Основные положения

- Количество допродаж напрямую зависит от того, как вы работаете с возражениями.
- Допродажи не получаются только у тех, кто их не делает!
- Всегда необходимо выполнять личный процент конвертации, равный **10 заданиям на подключение в \
месяц!**
"""

CAMPAIGN_MANAGEMENT_BODY = """\
## Как делать предложение через вкладку «Рекомендации»

Для того чтобы приступить к допродаже, необходимо перейти по кнопке на панели инструментов в CRM \
Amdocs для перехода к актуальным предложениям на вкладку «Рекомендации».

### Интерфейс вкладки «Рекомендации»

1. п.1 — наименования всех доступных продуктов для предложения абоненту;
2. п.2 — выпадающий список результатов предложения абоненту — согласие на подключение, отказ и \
др. По умолчанию выбрано значение «Не предлагалось»;
3. п.3 — содержит текстовое описание предложения для озвучивания абоненту;
4. п.4 — содержит историю обращений по продуктовым предложениям для абонента;
5. п.5 — идентификатор абонента, предлагаемого продукта.

## Алгоритм допродажи по вкладке «Рекомендации»

- Абоненту необходимо озвучить информацию из речевого модуля, размещенного в поле «Описание».
- По итогам предложения необходимо изменить результат в выпадающем списке (п. 2) на значение, \
совпадающее с результатом предложения: «Не предлагалось» (выставлен по умолчанию), «Клиент не \
заинтересован», «Клиент думает», «Клиент согласен».
- Обязательно сохранить выбранные значения, нажав кнопку «Сохранить».

1. Все выбранные и сохраненные результаты автоматически подтягиваются в контекст обращения \
абонента. **Все обращения необходимо сохранить!!!**
2. В случае согласия абонента на подключение перейти к стандартной процедуре регистрации задания \
по соответствующей услуге.
3. При отображении на л/с 2-ух кампаний по Антивирусу, выбрать результат на всех кампаниях!!!

История коммуникации по каждой кампании: действие «Проинформирован», дата и время, комментарий \
(например, «Клиент думает, Антивирус, Подразделение - ЦОО»).

## Регистрация задания на подключение ШПД/ИТВ в ДК

Создать Обращение с Темой «Продажи» (детализация, например, «Пакет (Интернет + IPTV)») и \
Результатом «Создан наряд во внешней системе». Станет доступна кнопка перехода в ДК.

Сверить/заполнить поля заявки:

- Блок «Данные по клиенту»: адрес подключения, ФИО, к/т, паспортные данные, адрес регистрации.
- Блок «Технология»: выбрать технологию подключения, услугу.
- Блок «Канал продаж»: выбрать канал продаж «26 Обслуживание МЦ НТТ».
- Блок «Тарифные планы и оборудование»: выбрать ТП и оборудование.
- Блок «Дополнительные услуги»: заполнить поля «Доп. услуги Интернет» и «Доп. каналы IP-TV».
- Назначение времени выхода инсталлятора: назначить время выхода инсталлятора.
"""


def _msk(*args):
    return datetime.datetime(*args, tzinfo=MSK)


# R13: the four articles of «Допродажи», with the deck's tags and dates.
ARTICLES = [
    {
        "title": "Предложения для клиентов с пакетом услуг (допродажи)",
        "published_at": _msk(2019, 6, 7, 14, 52),
        "tags": [],
        "body": PACKAGE_BODY,
        "offers": [],
    },
    {
        "title": "Предложения для клиентов МОНО услуг (допродажи)",
        "published_at": _msk(2019, 6, 7, 14, 51),
        "tags": [],
        "body": MONO_BODY,
        "offers": [],
    },
    {
        "title": "Скрипты для работы с доп. продажами",
        "published_at": _msk(2019, 4, 8, 16, 47),
        "tags": [
            "Доп. опции",
            "Описание доп.услуги",
            "Речевой Модуль",
            "Управление услугами/договорами",
        ],
        "body": SCRIPTS_BODY,
        "offers": ["kaspersky-2", "kaspersky-safe-kids", "kaspersky-2-safe-kids", "speed-plus-100"],
    },
    {
        "title": "Инструкция Campaign Managment",
        "published_at": _msk(2019, 4, 4, 16, 8),
        "tags": ["CRM", "CRM Amdocs 8.1"],
        "body": CAMPAIGN_MANAGEMENT_BODY,
        "offers": [],
    },
]
SCRIPTS_TITLE = ARTICLES[2]["title"]

# The deck's slide «Что предлагаем»: what to offer and what each connected service earns the agent
# (R11). The deck gives it no date; it is published with the «Допродажи» articles.
REWARDS_BODY = """\
Что предлагаем абонентам и сколько получает сотрудник за каждую подключенную услугу.

| Наименование доп. опции | Услуга | Сумма вознаграждения за подключенную услугу |
|---|---|---|
| Опция «Управление просмотром» | IP-TV | 25 |
| Подписка «Волшебный мир Disney» | IP-TV | 87,5 |
| Подписка «Amediateka Home of HBO» | IP-TV | 75 |
| Подписка «Детский клуб» | IP-TV | 50 |
| Доп. пакет «Кино» | IP-TV | 40 |
| Доп. пакет «VIP» | IP-TV | 75 |
| Подключение тарифа «Безлимитная Россия» | ОТА | 35 |
| Опция ОТА «Твоя страна 200» | ОТА | 15 |
| Опция ОТА «Твоя страна 500» | ОТА | 40 |
| Перевод на тарифный план «Игровой» | ШПД | 150 |
| Опции «Ускорение» и «Двойное ускорение» ШПД | ШПД | 15 |
| Kaspersky Internet Security для 2-х устройств | ШПД | 15 |
| Kaspersky Safe Kids | ШПД | 15 |
| Продажа комплекта «Умный дом. Видеонаблюдение» | ШПД | 400 |
| Допродажа услуги ШПД | ШПД | 0,75 ARPU |
| Допродажа услуги ИТВ | IP-TV | 0,75 ARPU |
| Смена ТП ШПД на более дорогой | ШПД | 15/50/100 |

За каждое успешное задание – дополнительное денежное вознаграждение! Всегда необходимо выполнять \
личный процент конвертации, равный **10 заданиям на подключение в месяц!**
"""

# Articles outside «Допродажи»: (category slug, article).
OTHER_ARTICLES = [
    (
        "tarify-i-akcii",
        {
            "title": "Что предлагаем: доп. опции и вознаграждение",
            "published_at": _msk(2019, 6, 7, 14, 50),
            "tags": [],
            "body": REWARDS_BODY,
            "offers": [],
        },
    ),
]

# R15: trigger → linking phrase → offer (by code, linked when the catalogue has it).
BRIDGES = [
    {
        "code": "virus",
        "trigger": "Абонент в интернете «подхватил» вирус",
        "phrase": "Для обеспечения безопасности предлагаю Вам подключить антивирус на два устройства...",
        "keywords": "вирус, вирусы, заразил, взломали, хакеры, антивирус, безопасность, "
        "тормозит компьютер, реклама, касперский",
        "offer": "kaspersky-2",
    },
    {
        "code": "low-speed",
        "trigger": "Низкая скорость на услуге «Домашний интернет»",
        # The deck's blank «до __ Мбит/с» is the account's speed, filled where the account knows
        # its tariff; otherwise the sentence reads without it.
        "phrase": "Параметры Вашего тарифного плана[ {tariff}|] предусматривают скорость"
        "[ до {speed}|, указанную в договоре]. "
        "Предлагаю увеличить скорость до максимально возможной, подключив опцию + 100 Мбит/с",
        "keywords": "скорость, медленный интернет, медленно, тормозит, грузится, ускорение, "
        "мбит, домашний интернет",
        "offer": "speed-plus-100",
    },
    {
        "code": "elk-child",
        "trigger": "Консультация по ЕЛК",
        "phrase": "Разрешите уточнить, кто в основном пользуется Интернетом у Вас в семье? "
        "Для защиты Вашего ребенка от нежелательного контента предлагаю подключить опцию "
        "«Kaspersky Safe Kids»",
        "keywords": "ребёнок, ребенок, дети, сын, дочь, школьник, личный кабинет, ЕЛК, "
        "родительский контроль, нежелательный контент",
        "offer": "kaspersky-safe-kids",
    },
    {
        "code": "remote-control",
        "trigger": "Настроить пульт ДУ",
        "phrase": "Вам, как абоненту Интерактивного ТВ, доступны дополнительные сервисы: "
        "управление просмотром и ...",
        "keywords": "пульт, пульт ДУ, телевизор, ТВ, приставка, пауза, перемотка, архив, "
        "интерактивное ТВ",
        "offer": "iptv-view-control",
    },
]

TV_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- возможность выбора из более чем 170 телеканалов, именно того, что вам нравится, \
высококачественная картинка
- возможность управлять просмотром – ставить эфир на паузу, перематывать и смотреть программы \
из архива
- возможность смотреть все подключенные телеканалы еще на 5 устройствах без дополнительной оплаты
- линия поддержки 24/7, которая консультирует по всем вопросам
"""

# «Дорого» answered on the merits of any offer; the deck's own example (the TV answer above) is
# the answer for Interactive TV's offers, and the products below have their own.
VALUE_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- {offer} подключается на ваш лицевой счёт, без договоров и визитов в офис
- оплата одним платежом вместе с остальными услугами
- линия поддержки 24/7, которая консультирует по всем вопросам
"""

BROADBAND_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- {offer} работает на вашем домашнем интернете, ничего докупать не нужно
- оплата вместе с интернетом, одним счётом
- линия поддержки 24/7, которая поможет с настройкой
"""

ANTIVIRUS_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- защита от вирусов, мошеннических сайтов и кражи паролей сразу на двух устройствах – \
компьютере, ноутбуке, смартфоне или планшете
- базы обновляются каждый день без вашего участия
- промо-код приходит SMS, активировать его можно за пару минут
- оплата вместе с интернетом, одним счётом
"""

SAFE_KIDS_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- защита ребёнка от нежелательного контента и опасных сайтов
- время за экраном и приложения под вашим контролем
- где ребёнок сейчас – видно на карте в вашем смартфоне
"""

SPEED_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- на 100 Мбит/с быстрее[, чем сейчас ({speed})|, чем сейчас]: фильмы и игры загружаются быстрее, \
видео без пауз сразу на всех устройствах дома
- [тариф {tariff} остаётся прежним|ваш тарифный план остаётся прежним], меняется только скорость
- подключается в день заказа, без визита мастера
"""

SURVEILLANCE_ANSWER = """\
Давайте сравним, что вы получаете с тем, какую сумму вы платите:

- камера и облачный архив записей: что происходит дома, видно со смартфона
- уведомление, когда камера замечает движение
- установку и настройку выполняет наш специалист
"""

# The «дорого» answer on the merits (step О) per product: by service code or offer code.
EXPENSIVE_ANSWERS = {
    ("service", "iptv"): TV_ANSWER,
    ("service", "broadband"): BROADBAND_ANSWER,
    ("offer", "kaspersky-2"): ANTIVIRUS_ANSWER,
    ("offer", "kaspersky-2-safe-kids"): ANTIVIRUS_ANSWER,
    ("offer", "kaspersky-safe-kids"): SAFE_KIDS_ANSWER,
    ("offer", "speed-plus-100"): SPEED_ANSWER,
    ("offer", "video-surveillance"): SURVEILLANCE_ANSWER,
}

# R4: the stable list of objection types; the recommendations issue cites them by code.
# Only «дорого» has the deck's own В.З.О.Р. example (Интерактивное ТВ); the steps of the others
# follow the same technique and are for managers to refine in the admin.
OBJECTIONS = [
    {
        "code": "expensive",
        "name": "дорого",
        "order": 10,
        "description": "Пример из тренинга «Техника В.З.О.Р.»: «Ваш продукт слишком дорогой» "
        "(Интерактивное ТВ).",
        "steps": {
            VzorStep.LISTEN: "«Понимаю, что для вас важно не переплачивать за предоставляемые "
            "вам услуги.»",
            VzorStep.ASK: "«Цена, это единственно, что вас останавливает?»",
            VzorStep.ANSWER: VALUE_ANSWER,
            VzorStep.SUMMARISE: "И все это по одной из лучших цен на рынке – {price_a_day}. "
            "Как вы считаете, это выгодно?",
        },
        "answers": EXPENSIVE_ANSWERS,
        "stock": [
            (
                "У вас дорого",
                "Клиента интересует, какую он получит выгоду, если купит этот продукт у вас и "
                "сейчас. Что делать: рассказать о качестве и надежности продукта, а также о "
                "преимуществах, которые получит Клиент купив товар прямо сейчас.",
            )
        ],
    },
    {
        "code": "will_think",
        "name": "я подумаю",
        "order": 20,
        "description": "Клиент откладывает решение.",
        "steps": {
            VzorStep.LISTEN: "«Понимаю, решение действительно стоит обдумать.»",
            VzorStep.ASK: "«Скажите, пожалуйста, о чем Вы будете думать? Давайте подумаем вместе?»",
            VzorStep.ANSWER: "Ответьте по существу на то сомнение, которое назвал Клиент: выгода "
            "услуги, цена в день, бесплатный промо-период, если он есть.",
            VzorStep.SUMMARISE: "«Получается, все это {price_a_day}. Оформляю подключение?»",
        },
        "stock": [
            (
                "Я подумаю",
                "Аккуратно задать вопрос: «Скажите, пожалуйста, о чем Вы будете думать? Давайте "
                "подумаем вместе?»",
            )
        ],
    },
    {
        "code": "no_need",
        "name": "нет необходимости",
        "order": 30,
        "description": "Клиент считает, что услуга ему не нужна.",
        "steps": {
            VzorStep.LISTEN: "«Понимаю, сейчас Вам кажется, что эта услуга Вам не нужна.»",
            VzorStep.ASK: "«Подскажите, пожалуйста, кто у Вас в семье пользуется интернетом и "
            "телевидением и для чего чаще всего?»",
            VzorStep.ANSWER: "Свяжите услугу с тем, что рассказал Клиент: какую задачу она решает "
            "именно для него и его семьи.",
            VzorStep.SUMMARISE: "«Получается, эта услуга решает Вашу задачу {price_a_day}. "
            "Подключаем?»",
        },
        "stock": [],
    },
    {
        "code": "other_operator",
        "name": "есть у другого оператора",
        "order": 40,
        "description": "Похожая услуга уже подключена у другого оператора.",
        "steps": {
            VzorStep.LISTEN: "«Понимаю, Вы уже пользуетесь такой услугой у другого оператора.»",
            VzorStep.ASK: "«Скажите, что Вам нравится в нынешней услуге, а чего не хватает?»",
            VzorStep.ANSWER: "Расскажите о преимуществах у нас: услуга на Вашем лицевом счёте, "
            "оплата одним платежом вместе с интернетом, поддержка 24/7.",
            VzorStep.SUMMARISE: "«Все в одном счете и {price_a_day}. Как Вам такое предложение?»",
        },
        "stock": [],
    },
]

# R16: leading to a decision and closing the contact.
CLOSING = [
    (ClosingStage.CHECK_QUESTIONS, "И.О., какие вопросы у Вас еще остались?"),
    (
        ClosingStage.CHECK_QUESTIONS,
        "Вы хотели бы что-то еще узнать об этом пакете каналов/подписке",
    ),
    (
        ClosingStage.CHECK_QUESTIONS,
        "И.О., я достаточно подробно объяснил(а), или нужно рассказать что-то еще?",
    ),
    (ClosingStage.REACT_POSITIVELY, "Отлично!"),
    (ClosingStage.REACT_POSITIVELY, "Замечательно!"),
    (
        ClosingStage.PROPOSE_NOW,
        "Я могу прямо сейчас оформить подключение и уже завтра услуга Вам будет предоставлена.",
    ),
    (ClosingStage.PROPOSE_NOW, "Оформляю/подключаю услугу?"),
    (ClosingStage.FINISH, "Закончите на позитиве! Закрепить позитивное впечатление клиента."),
]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def _ensure(model, *, defaults, **lookup):
    """update_or_create that saves only when a value differs, so a re-run adds no history rows."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults)
    changed = [name for name, value in defaults.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        obj.save(update_fields=changed)
    return obj


def _offers(codes):
    return [offer for code in codes if (offer := Offer.objects.filter(code=code).first())]


def _seed_categories():
    by_slug = {}
    for slug, name, children in CATEGORIES:
        root = services.category_ensure(slug=slug, name=name)
        by_slug[slug] = root
        for child_slug, child_name in children:
            by_slug[child_slug] = services.category_ensure(
                slug=child_slug, name=child_name, parent=root
            )
    return by_slug


def _seed_articles(*, categories, owner):
    articles = {}
    specs = [("doprodazhi", spec) for spec in ARTICLES] + OTHER_ARTICLES
    for slug, spec in specs:
        category = categories[slug]
        tags = [services.tag_get_or_create(name=name) for name in spec["tags"]]
        offers = _offers(spec["offers"])
        fields = {
            "body": spec["body"],
            "status": ArticleStatus.PUBLISHED,
            "published_at": spec["published_at"],
        }
        article = Article.objects.filter(category=category, title=spec["title"]).first()
        if article is None:
            article = services.article_create(
                title=spec["title"],
                category=category,
                owner=owner,
                tags=tags,
                offers=offers,
                verified_at=timezone.now(),
                **fields,
            )
        else:
            article = services.article_update(article=article, tags=tags, offers=offers, **fields)
        articles[spec["title"]] = article
    return articles


def _seed_bridges(*, article):
    for order, spec in enumerate(BRIDGES, start=1):
        _ensure(
            Bridge,
            code=spec["code"],
            defaults={
                "trigger": spec["trigger"],
                "phrase": spec["phrase"],
                "keywords": spec["keywords"],
                "offer": Offer.objects.filter(code=spec["offer"]).first(),
                "article": article,
                "order": order * 10,
                "is_active": True,
            },
        )


def _seed_objections():
    for spec in OBJECTIONS:
        objection = _ensure(
            ObjectionType,
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "order": spec["order"],
                "description": spec["description"],
                "is_active": True,
            },
        )
        for step, phrase in spec["steps"].items():
            _ensure(
                ObjectionStep,
                objection=objection,
                step=step,
                offer=None,
                service=None,
                defaults={"phrase": phrase},
            )
        for (scope, code), phrase in spec.get("answers", {}).items():
            model = Service if scope == "service" else Offer
            target = model.objects.filter(code=code).first()
            if target is not None:
                _ensure(
                    ObjectionStep,
                    objection=objection,
                    step=VzorStep.ANSWER,
                    **{scope: target},
                    defaults={"phrase": phrase},
                )
        for order, (says, answer) in enumerate(spec["stock"], start=1):
            _ensure(
                StockAnswer,
                objection=objection,
                customer_says=says,
                defaults={"answer": answer, "order": order},
            )


def _seed_closing():
    for order, (stage, text) in enumerate(CLOSING, start=1):
        _ensure(ClosingPhrase, stage=stage, text=text, defaults={"order": order, "is_active": True})


@transaction.atomic
def seed_knowledge_base(*, owner, stdout=None):
    """Load the deck's knowledge base; idempotent. `owner` owns the articles it creates."""
    categories = _seed_categories()
    _say(stdout, f"  knowledge base: {len(categories)} categories")
    articles = _seed_articles(categories=categories, owner=owner)
    _say(stdout, f"  knowledge base: {len(articles)} articles")
    _seed_bridges(article=articles[SCRIPTS_TITLE])
    _seed_objections()
    _seed_closing()
    services.answers_changed()
    _say(
        stdout,
        f"  knowledge base: {len(BRIDGES)} bridges, {len(OBJECTIONS)} objection types, "
        f"{len(CLOSING)} closing phrases",
    )
    return {"categories": categories, "articles": articles}
