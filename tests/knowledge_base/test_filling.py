"""The blanks of objection answers and bridges: the filling table, the price a day's edge cases
(no fee, kopecks, months of 28–31 days) and the neutral wordings (never a raw placeholder)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from knowledge_base.filling import Facts, fill, price_a_day

FEB_2026 = datetime.date(2026, 2, 10)  # 28 days
FEB_2028 = datetime.date(2028, 2, 10)  # 29 days
APRIL = datetime.date(2026, 4, 10)  # 30 days
MAY = datetime.date(2026, 5, 10)  # 31 days


def facts(price=None, on=APRIL, promo=0, **kwargs):
    return Facts(
        on=on,
        monthly_price=None if price is None else Decimal(price),
        promo_days=promo,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("price", "on", "promo", "expected"),
    [
        # kopecks: a fraction of a rouble takes «рубля»
        ("139", APRIL, 0, "всего за 4,63 рубля в день"),
        ("139", MAY, 0, "всего за 4,48 рубля в день"),
        ("139", FEB_2026, 0, "всего за 4,96 рубля в день"),
        ("139", FEB_2028, 0, "всего за 4,79 рубля в день"),
        # whole amounts: no «,00», declined by the number
        ("310", MAY, 0, "всего за 10 рублей в день"),
        ("30", APRIL, 0, "всего за 1 рубль в день"),
        ("60", APRIL, 0, "всего за 2 рубля в день"),
        ("630", APRIL, 0, "всего за 21 рубль в день"),
        ("330", APRIL, 0, "всего за 11 рублей в день"),
        ("30000", APRIL, 0, "всего за 1\u00a0000 рублей в день"),  # a no-break space
        # half a kopeck rounds up (0.005 → 0.01), less rounds to nothing but is never «0 рублей»
        ("0.15", APRIL, 0, "всего за 0,01 рубля в день"),
        ("0.10", APRIL, 0, "меньше чем за копейку в день"),
        # no fee
        ("0", APRIL, 0, "без абонентской платы"),
        ("0.00", APRIL, 30, "без абонентской платы"),
        # a free promo period is said too
        ("139", APRIL, 30, "всего за 4,63 рубля в день, а первые 30 дней — бесплатно"),
        ("139", APRIL, 1, "всего за 4,63 рубля в день, а первый 1 день — бесплатно"),
        ("139", APRIL, 14, "всего за 4,63 рубля в день, а первые 14 дней — бесплатно"),
    ],
)
def test_price_a_day_in_words(price, on, promo, expected):
    with translation.override("en"):  # the texts are Russian whatever the reader's language
        assert fill("{price_a_day}", facts(price, on, promo)) == expected


def test_an_unknown_price_has_no_words_of_its_own():
    assert price_a_day(facts()) is None


FULL = Facts(
    on=APRIL,
    offer="Kaspersky Internet Security для 2-х устройств",
    monthly_price=Decimal("139"),
    promo_days=30,
    speed=100,
    tariff="Базовый 100",
)
NOTHING = Facts(on=APRIL)


@pytest.mark.parametrize(
    ("text", "known", "unknown"),
    [
        ("{offer}", "«Kaspersky Internet Security для 2-х устройств»", "эта услуга"),
        ("{speed}", "100 Мбит/с", "скорость вашего тарифа"),
        ("{tariff}", "«Базовый 100»", "ваш тарифный план"),
        (
            "{price_a_day}",
            "всего за 4,63 рубля в день, а первые 30 дней — бесплатно",
            "всего за несколько рублей в день",
        ),
        # an alternative written in the text wins over the neutral wording
        (
            "Параметры Вашего тарифного плана[ {tariff}|] предусматривают скорость"
            "[ до {speed}|, указанную в договоре].",
            "Параметры Вашего тарифного плана «Базовый 100» предусматривают скорость до 100 Мбит/с.",
            "Параметры Вашего тарифного плана предусматривают скорость, указанную в договоре.",
        ),
        # every blank of the first part must be known
        ("[{tariff} на {speed}|ваш тариф]", "«Базовый 100» на 100 Мбит/с", "ваш тариф"),
        # no blank inside: a Markdown link or a bracket stays as written
        ("[ссылка|другое](https://x)", "[ссылка|другое](https://x)", "[ссылка|другое](https://x)"),
        # unknown names and plain braces stay as written
        ("{unknown} и {}", "{unknown} и {}", "{unknown} и {}"),
        ("без пропусков", "без пропусков", "без пропусков"),
    ],
)
def test_filling_table(text, known, unknown):
    assert fill(text, FULL) == known
    assert fill(text, NOTHING) == unknown


def test_a_partly_known_account_fills_what_it_knows():
    tariff_only = Facts(on=APRIL, tariff="Базовый 100")
    text = "Тариф[ {tariff}|] даёт скорость[ до {speed}|, указанную в договоре]"
    assert fill(text, tariff_only) == "Тариф «Базовый 100» даёт скорость, указанную в договоре"
